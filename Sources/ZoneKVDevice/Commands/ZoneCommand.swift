/// A command for a zoned device. Data for writes and appends is taken from, and data for reads
/// and zone reports lands in, the command slot's buffer, starting at offset 0.
public enum ZoneCommand: Hashable, Sendable, CustomStringConvertible {
    /// Reads `blockCount` logical blocks starting at an address. The corresponding NVMe command is Read.
    case read(BlockAddress, blockCount: Int)
    /// Writes `blockCount` logical blocks at an address, which must be the zone's write pointer.
    /// The corresponding NVMe command is Write. Keep one write in flight per zone: the kernel may
    /// reorder a batch of passthrough writes.
    case write(BlockAddress, blockCount: Int)
    /// Appends `blockCount` logical blocks to a zone; the device picks the address and the
    /// completion returns it. The corresponding NVMe command is Zone Append.
    case append(ZoneID, blockCount: Int)
    /// Changes the state of one zone. The corresponding NVMe command is Zone Management Send.
    case manage(ZoneAction, ZoneID)
    /// Changes the state of every zone the action applies to (Zone Management Send, Select All).
    case manageAll(ZoneAction)
    /// Reports up to `limit` zones starting at a zone (`nil`: as many as the slot buffer holds).
    /// The corresponding NVMe command is Zone Management Receive (Report Zones, partial report).
    case reportZones(from: ZoneID, limit: Int?)
    /// Makes every completed write durable across power loss. The corresponding NVMe command is Flush.
    case flush

    public var description: String {
        switch self {
        case let .read(address, count): "read of \(count) blocks at \(address)"
        case let .write(address, count): "write of \(count) blocks at \(address)"
        case let .append(zone, count): "Zone Append of \(count) blocks to \(zone)"
        case let .manage(action, zone): "\(action) of \(zone)"
        case let .manageAll(action): "\(action) of all zones"
        case let .reportZones(zone, _): "report zones from \(zone)"
        case .flush: "flush"
        }
    }

    /// Logical blocks the command transfers.
    var transferBlocks: Int {
        switch self {
        case let .read(_, count), let .write(_, count), let .append(_, count): count
        default: 0
        }
    }
}

/// A zone state change requested with Zone Management Send.
public enum ZoneAction: UInt8, Hashable, Sendable, CustomStringConvertible {
    /// Closed: releases the zone's open resource, keeps its active one.
    case close = 0x01
    /// Full: no more writes until reset.
    case finish = 0x02
    /// Explicitly opened: holds an open resource until closed, finished or reset.
    case open = 0x03
    /// Empty: write pointer back to the zone start; its data is gone.
    case reset = 0x04

    public var description: String {
        switch self {
        case .close: "close"
        case .finish: "finish"
        case .open: "open"
        case .reset: "reset"
        }
    }
}
