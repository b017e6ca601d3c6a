import ArgumentParser
import ZoneKV
import ZoneKVShell

struct DeviceCreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create an emulated zoned device file (sparse: it takes space only as data is written).")

    @Argument(help: "Path of the new device file.")
    var path: String

    @Option(help: "Zone size, e.g. 96M (any multiple of the block size; need not be a power of two).")
    var zoneSize: String = "96M"

    @Option(help: "Writable capacity of each zone, e.g. 80M (at most the zone size).")
    var zoneCapacity: String = "80M"

    @Option(help: "Number of zones.")
    var zones: Int = 16

    @Option(help: "Max active zones (0 = unlimited).")
    var maxActive: Int = 14

    @Option(help: "Max open zones (0 = unlimited).")
    var maxOpen: Int = 14

    @Option(help: "Block (LBA) size in bytes: 512 or 4096.")
    var blockSize: Int = 4096

    @Option(help: "Zone Append size limit, e.g. 128K.")
    var appendLimit: String = "128K"

    @Option(help: "Largest transfer of one command, e.g. 512K.")
    var maxTransfer: String = "512K"

    func run() throws {
        var geometry = EmulatedGeometry()
        geometry.blockSize = blockSize
        geometry.zoneSizeBytes = try parseByteCount(zoneSize, option: "--zone-size")
        geometry.zoneCapacityBytes = try parseByteCount(zoneCapacity, option: "--zone-capacity")
        geometry.zoneCount = zones
        geometry.maxActiveZones = maxActive == 0 ? nil : maxActive
        geometry.maxOpenZones = maxOpen == 0 ? nil : maxOpen
        geometry.maxAppendBytes = Int(try parseByteCount(appendLimit, option: "--append-limit"))
        geometry.maxTransferBytes = Int(try parseByteCount(maxTransfer, option: "--max-transfer"))
        try ZonedDevice.createEmulated(at: path, geometry: geometry)
        print("created \(path): \(zones) zones of \(Formatting.bytes(geometry.zoneSizeBytes)) (capacity \(Formatting.bytes(geometry.zoneCapacityBytes))), \(Formatting.bytes(geometry.zoneSizeBytes * UInt64(zones))) in all")
    }
}
