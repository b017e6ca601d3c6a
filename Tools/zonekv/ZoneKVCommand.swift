import ArgumentParser

@main
struct ZoneKVCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zonekv",
        abstract: "ZoneKV: a key-value object store for zoned NVMe SSDs.",
        subcommands: [DeviceCommand.self]
    )
}
