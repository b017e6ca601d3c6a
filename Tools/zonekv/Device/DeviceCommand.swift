import ArgumentParser

/// `zonekv device ...`: look at and prepare zoned devices.
struct DeviceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "device",
        abstract: "Inspect and prepare zoned devices (NVMe /dev/ngXnY or emulated device files).",
        subcommands: [
            DeviceInfoCommand.self, DeviceZonesCommand.self, DeviceCreateCommand.self, DeviceAppendCommand.self,
            DeviceReadCommand.self, DeviceManageCommand.self,
        ]
    )
}

/// The `--device` option every device subcommand takes.
struct DeviceSelection: ParsableArguments {
    @Option(
        name: .long,
        help: "The device: /dev/ngXnY uses NVMe passthrough; any other path is an emulated device file.")
    var device: String
}
