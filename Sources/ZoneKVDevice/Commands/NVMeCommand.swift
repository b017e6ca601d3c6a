/// The NVMe encoding of a `ZoneCommand`: opcode and command dwords, as both backends consume it.
/// The passthrough backend hands it to the kernel; the emulator decodes the very same fields,
/// so both see one definition of every command.
struct NVMeCommand: Hashable, Sendable {
    var opcode: UInt8
    var dword10: UInt32 = 0
    var dword11: UInt32 = 0
    var dword12: UInt32 = 0
    var dword13: UInt32 = 0
    /// Bytes of the data buffer the command transfers.
    var dataLength: Int = 0

    enum Opcode {
        static let flush: UInt8 = 0x00
        static let write: UInt8 = 0x01
        static let read: UInt8 = 0x02
        static let zoneManagementSend: UInt8 = 0x79
        static let zoneManagementReceive: UInt8 = 0x7A
        static let zoneAppend: UInt8 = 0x7D
    }

    /// The starting LBA in dwords 10-11.
    var startBlock: UInt64 { UInt64(dword10) | UInt64(dword11) << 32 }

    /// The 1-based block count from dword 12 (stored 0-based).
    var blockCount: Int { Int(dword12 & 0xFFFF) + 1 }

    /// The Zone Send Action in dword 13.
    var zoneSendAction: UInt8 { UInt8(truncatingIfNeeded: dword13) }

    /// Whether Select All is set in dword 13.
    var selectsAllZones: Bool { dword13 & (1 << 8) != 0 }

    init(opcode: UInt8) { self.opcode = opcode }

    /// Encodes `command` for a device of `geometry` whose slot buffer holds `bufferBytes`.
    init(_ command: ZoneCommand, geometry: DeviceGeometry, bufferBytes: Int) {
        switch command {
        case let .read(address, count):
            self.init(opcode: Opcode.read, start: address.rawValue, blocks: count, geometry: geometry)
        case let .write(address, count):
            self.init(opcode: Opcode.write, start: address.rawValue, blocks: count, geometry: geometry)
        case let .append(zone, count):
            self.init(opcode: Opcode.zoneAppend, start: geometry.startBlock(of: zone).rawValue, blocks: count, geometry: geometry)
        case let .manage(action, zone):
            self.init(opcode: Opcode.zoneManagementSend)
            setStartBlock(geometry.startBlock(of: zone).rawValue)
            dword13 = UInt32(action.rawValue)
        case let .manageAll(action):
            self.init(opcode: Opcode.zoneManagementSend)
            dword13 = UInt32(action.rawValue) | 1 << 8
        case let .reportZones(zone, limit):
            self.init(opcode: Opcode.zoneManagementReceive)
            setStartBlock(geometry.startBlock(of: zone).rawValue)
            let wanted = limit.map { ZoneReportFormat.headerBytes + max(1, $0) * ZoneReportFormat.descriptorBytes }
            dataLength = min(bufferBytes, wanted ?? bufferBytes)
            dword12 = UInt32(dataLength / 4 - 1)  // number of dwords, 0-based
            dword13 = 1 << 16  // Report Zones (ZRA 0), all states (ZRASF 0), partial report
        case .flush:
            self.init(opcode: Opcode.flush)
        }
    }

    private init(opcode: UInt8, start: UInt64, blocks: Int, geometry: DeviceGeometry) {
        self.init(opcode: opcode)
        setStartBlock(start)
        dword12 = UInt32(truncatingIfNeeded: max(blocks, 1) - 1) & 0xFFFF
        dataLength = blocks * geometry.blockSize
    }

    private mutating func setStartBlock(_ block: UInt64) {
        dword10 = UInt32(truncatingIfNeeded: block)
        dword11 = UInt32(truncatingIfNeeded: block >> 32)
    }
}
