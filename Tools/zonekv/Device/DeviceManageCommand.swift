import ArgumentParser
import ZoneKV

/// `zonekv device reset|finish|open|close`: one zone state change, or all zones with --all.
struct DeviceManageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zone-action",
        abstract: "Reset, finish, open or close a zone (or every zone the action applies to, with --all).",
        discussion: "Reset discards the zone's data. Example: zonekv device zone-action reset --device dev.zns --zone 3")

    @Argument(help: "The action: reset, finish, open or close.")
    var action: Action

    @OptionGroup var selection: DeviceSelection

    @Option(help: "The zone to act on.")
    var zone: Int?

    @Flag(help: "Act on every zone the action applies to.")
    var all = false

    enum Action: String, ExpressibleByArgument, CaseIterable {
        case reset, finish, open, close

        var zoneAction: ZoneAction {
            switch self {
            case .reset: .reset
            case .finish: .finish
            case .open: .open
            case .close: .close
            }
        }
    }

    func validate() throws {
        guard (zone == nil) == all else { throw ValidationError("give exactly one of --zone N or --all") }
    }

    func run() throws {
        let device = try openDevice(selection.device)
        let queue = try device.makeQueue(depth: 1)
        if all {
            try queue.manageAll(action.zoneAction)
            print("\(action.rawValue): done for every zone it applies to")
        } else {
            guard let zone, (0..<device.geometry.zoneCount).contains(zone) else {
                throw ValidationError("--zone must be between 0 and \(device.geometry.zoneCount - 1)")
            }
            try queue.manage(action.zoneAction, ZoneID(zone))
            let descriptor = try queue.describe(ZoneID(zone))
            print("zone \(zone) is now \(descriptor.state)")
        }
    }
}
