import CLibURing

/// Reads a ZNS namespace's geometry with Identify (admin opcode 0x06) and one Report Zones.
enum Identify {
    static let opcode: UInt8 = 0x06
    static let dataBytes = 4096
    static let zonedCommandSet: UInt32 = 0x02

    enum Structure: UInt32 {
        case namespace = 0x00
        case controller = 0x01
        case zonedNamespace = 0x05
        case zonedController = 0x06
    }

    /// Issues one Identify into `buffer`.
    static func run(
        _ structure: Structure, namespaceID: UInt32, commandSet: UInt32 = 0, into buffer: IOBuffer, file: SystemFile
    ) throws(DeviceError) {
        var command = nvme_passthru_cmd()
        command.opcode = opcode
        command.nsid = namespaceID
        command.addr = UInt64(UInt(bitPattern: buffer.address))
        command.data_len = UInt32(dataBytes)
        command.cdw10 = structure.rawValue
        command.cdw11 = commandSet << 24
        try nvmeAdminCommand(&command, on: file)
    }

    /// Everything the geometry needs except zone capacity, which only Report Zones tells.
    struct NamespaceFacts {
        var blockSize: Int
        var blockCount: UInt64
        var zoneSize: UInt64
        var maxOpenZones: Int?
        var maxActiveZones: Int?
        var maxAppendBytes: Int
        var maxTransferBytes: Int
    }

    static func namespaceFacts(of file: SystemFile, namespaceID: UInt32) throws(DeviceError) -> NamespaceFacts {
        let buffer = IOBuffer(byteCount: dataBytes)
        let pageSize = 4096  // CAP.MPSMIN on every controller Linux drives with 4 KiB pages

        try run(.namespace, namespaceID: namespaceID, into: buffer, file: file)
        let (blockCount, formatIndex, blockShift) = buffer.withUnsafeBytes { bytes in
            let formatted = bytes[26]
            let index = Int(formatted & 0x0F) | Int((formatted >> 5) & 0x3) << 4
            let shift = Int((bytes.loadLittleEndianUInt32(at: 128 + 4 * index) >> 16) & 0xFF)
            return (bytes.loadLittleEndianUInt64(at: 0), index, shift)
        }
        guard blockShift >= 9 && blockShift <= 16 else {
            throw DeviceError(.unsupportedDevice, "\(file.path) reports an LBA size of 2^\(blockShift) bytes, which ZoneKV does not support")
        }

        try run(.controller, namespaceID: 0, into: buffer, file: file)
        let transferExponent = buffer.withUnsafeBytes { Int($0[77]) }
        // MDTS 0 means no limit; Linux caps nvme-pci transfers well below 4 MiB anyway.
        let maxTransferBytes = transferExponent == 0 ? 512 << 10 : min(pageSize << transferExponent, 4 << 20)

        do {
            try run(.zonedNamespace, namespaceID: namespaceID, commandSet: zonedCommandSet, into: buffer, file: file)
        } catch where error.nvmeStatus != nil {
            throw DeviceError(.notZoned, "\(file.path) is not a zoned (ZNS) namespace: Identify for the Zoned Namespace command set failed; ZoneKV needs a ZNS namespace")
        }
        let (maxActiveRaw, maxOpenRaw, zoneSize) = buffer.withUnsafeBytes { bytes in
            (bytes.loadLittleEndianUInt32(at: 4), bytes.loadLittleEndianUInt32(at: 8),
             bytes.loadLittleEndianUInt64(at: 2816 + 16 * formatIndex))
        }
        guard zoneSize > 0 else {
            throw DeviceError(.notZoned, "\(file.path) reports a zone size of 0; it is not a usable zoned namespace")
        }

        try run(.zonedController, namespaceID: 0, commandSet: zonedCommandSet, into: buffer, file: file)
        let appendExponent = buffer.withUnsafeBytes { Int($0[0]) }
        let maxAppendBytes = appendExponent == 0 ? maxTransferBytes : min(pageSize << appendExponent, maxTransferBytes)

        return NamespaceFacts(
            blockSize: 1 << blockShift, blockCount: blockCount, zoneSize: zoneSize,
            maxOpenZones: maxOpenRaw == UInt32.max ? nil : Int(maxOpenRaw) + 1,
            maxActiveZones: maxActiveRaw == UInt32.max ? nil : Int(maxActiveRaw) + 1,
            maxAppendBytes: maxAppendBytes, maxTransferBytes: maxTransferBytes)
    }
}
