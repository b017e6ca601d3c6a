import ArgumentParser
import ZoneKV
import ZoneKVShell

struct DeviceZonesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zones", abstract: "Print a device's zone table (state and write pointer of each zone).")

    @OptionGroup var selection: DeviceSelection

    @Option(help: "First zone to show.")
    var from: Int = 0

    @Option(help: "Number of zones to show (default: all from --from on).")
    var count: Int?

    func run() throws {
        let device = try openDevice(selection.device)
        guard (0..<device.geometry.zoneCount).contains(from) else {
            throw ValidationError("--from must be between 0 and \(device.geometry.zoneCount - 1)")
        }
        if let count, count < 1 { throw ValidationError("--count must be at least 1") }
        let queue = try device.makeQueue(depth: 1)
        let zones = try queue.reportZones(from: ZoneID(from), count: count)
        print("zone  state              start        write pointer  written     capacity")
        for zone in zones {
            let pointer = zone.writePointer.map { String($0.rawValue) } ?? "-"
            let written = Formatting.bytes(zone.writtenBlocks * UInt64(device.geometry.blockSize))
            print(
                Formatting.padded(String(zone.zone.rawValue), 4) + "  " + Formatting.padded(zone.state.description, 17) + "  "
                    + Formatting.padded(String(zone.start.rawValue), 11) + "  " + Formatting.padded(pointer, 13) + "  " + Formatting.padded(written, 10) + "  "
                    + Formatting.bytes(zone.capacity * UInt64(device.geometry.blockSize)))
        }
    }
}
