/// Creating and opening emulated device files.
enum EmulatedDeviceFile {
    /// Creates a new emulated device file at `path` with every zone empty. The data area is
    /// sparse: a fresh file takes almost no disk space whatever its size.
    static func create(at path: String, geometry: EmulatedGeometry) throws(DeviceError) {
        try geometry.validate()
        if fileExists(path) {
            throw DeviceError(.invalidArgument, "\(path) already exists; remove it first or open it instead of creating it")
        }
        let device = geometry.deviceGeometry
        let file = try SystemFile.open(path, create: true, backend: .emulated)
        defer { file.close() }
        let metadataBytes = EmulatedDeviceFormat.metadataBytes(zoneCount: device.zoneCount)
        let header = IOBuffer(byteCount: metadataBytes)
        let dataOffset = EmulatedDeviceFormat.dataOffset(zoneCount: device.zoneCount)
        header.withUnsafeMutableBytes { bytes in
            typealias Field = EmulatedDeviceFormat.HeaderField
            bytes.storeLittleEndian(EmulatedDeviceFormat.magic, at: Field.magic)
            bytes.storeLittleEndian(EmulatedDeviceFormat.version, at: Field.version)
            bytes.storeLittleEndian(UInt32(device.blockSize), at: Field.blockSize)
            bytes.storeLittleEndian(device.zoneSize, at: Field.zoneSize)
            bytes.storeLittleEndian(device.zoneCapacity, at: Field.zoneCapacity)
            bytes.storeLittleEndian(UInt32(device.zoneCount), at: Field.zoneCount)
            bytes.storeLittleEndian(UInt32(device.maxOpenZones ?? 0), at: Field.maxOpenZones)
            bytes.storeLittleEndian(UInt32(device.maxActiveZones ?? 0), at: Field.maxActiveZones)
            bytes.storeLittleEndian(UInt32(device.maxAppendBytes), at: Field.maxAppendBytes)
            bytes.storeLittleEndian(UInt32(device.maxTransferBytes), at: Field.maxTransferBytes)
            bytes.storeLittleEndian(dataOffset, at: Field.dataOffset)
            let table = ZoneTable(mapping: bytes, zoneCount: device.zoneCount)
            for zone in 0..<device.zoneCount { table.setState(zone, .empty) }
        }
        do throws(DeviceError) {
            try header.withUnsafeBytes { bytes throws(DeviceError) in try file.write(bytes, at: 0) }
            try file.setSize(dataOffset + device.capacityBytes)
            try file.synchronize()
        } catch {
            _ = unlinkFile(path)
            throw error
        }
    }

    /// Opens an emulated device file, taking an exclusive lock on it.
    static func open(_ path: String, directIO: Bool) throws(DeviceError) -> EmulatedController {
        let file = try SystemFile.open(path, direct: directIO, backend: .emulated)
        do throws(DeviceError) {
            try file.lockExclusively()
            let size = try file.size()
            let header = IOBuffer(byteCount: EmulatedDeviceFormat.headerBytes)
            guard size >= UInt64(EmulatedDeviceFormat.headerBytes) else { throw notADevice(path, "it is too small") }
            try header.withUnsafeMutableBytes { bytes throws(DeviceError) in try file.read(into: bytes, at: 0) }
            let (geometry, dataOffset) = try header.withUnsafeBytes { bytes throws(DeviceError) in try parseHeader(bytes, path: path) }
            guard size >= dataOffset + geometry.capacityBytes else {
                throw notADevice(path, "it is \(size) bytes, shorter than its geometry needs (\(dataOffset + geometry.capacityBytes)); it may have been truncated")
            }
            let mapping = try file.mapShared(length: EmulatedDeviceFormat.metadataBytes(zoneCount: geometry.zoneCount))
            if let problem = ZoneTable(mapping: mapping, zoneCount: geometry.zoneCount).validate(zoneCapacity: geometry.zoneCapacity) {
                unmap(UnsafeRawBufferPointer(mapping))
                throw notADevice(path, "its zone table is damaged: \(problem)")
            }
            // Buffered devices are also mapped whole: reads and writes are then copies out of and
            // into the page cache, with no system call, as cheap as device I/O can be made here.
            let dataView = directIO ? nil : file.mapWhole(length: Int(dataOffset + geometry.capacityBytes))
            return EmulatedController(file: file, mapping: mapping, geometry: geometry, dataOffset: dataOffset, dataView: dataView)
        } catch {
            file.close()
            throw error
        }
    }

    private static func parseHeader(_ bytes: UnsafeRawBufferPointer, path: String) throws(DeviceError) -> (DeviceGeometry, UInt64) {
        typealias Field = EmulatedDeviceFormat.HeaderField
        guard bytes.loadLittleEndianUInt64(at: Field.magic) == EmulatedDeviceFormat.magic else {
            throw notADevice(path, "it does not start with the emulated device signature (create one with `zonekv device create \(path)`)")
        }
        let version = bytes.loadLittleEndianUInt32(at: Field.version)
        guard version == EmulatedDeviceFormat.version else {
            throw notADevice(path, "its format version \(version) is not supported (this build reads version \(EmulatedDeviceFormat.version))")
        }
        let maxOpen = Int(bytes.loadLittleEndianUInt32(at: Field.maxOpenZones))
        let maxActive = Int(bytes.loadLittleEndianUInt32(at: Field.maxActiveZones))
        var emulated = EmulatedGeometry()
        emulated.blockSize = Int(bytes.loadLittleEndianUInt32(at: Field.blockSize))
        let zoneSize = bytes.loadLittleEndianUInt64(at: Field.zoneSize)
        let zoneCapacity = bytes.loadLittleEndianUInt64(at: Field.zoneCapacity)
        emulated.zoneSizeBytes = zoneSize &* UInt64(emulated.blockSize)
        emulated.zoneCapacityBytes = zoneCapacity &* UInt64(emulated.blockSize)
        emulated.zoneCount = Int(bytes.loadLittleEndianUInt32(at: Field.zoneCount))
        emulated.maxOpenZones = maxOpen == 0 ? nil : maxOpen
        emulated.maxActiveZones = maxActive == 0 ? nil : maxActive
        emulated.maxAppendBytes = Int(bytes.loadLittleEndianUInt32(at: Field.maxAppendBytes))
        emulated.maxTransferBytes = Int(bytes.loadLittleEndianUInt32(at: Field.maxTransferBytes))
        do { try emulated.validate() } catch { throw notADevice(path, "its header is damaged: \(error.message)") }
        let dataOffset = bytes.loadLittleEndianUInt64(at: Field.dataOffset)
        guard dataOffset == EmulatedDeviceFormat.dataOffset(zoneCount: emulated.zoneCount) else {
            throw notADevice(path, "its header is damaged: data offset \(dataOffset) does not match its zone count")
        }
        return (emulated.deviceGeometry, dataOffset)
    }

    private static func notADevice(_ path: String, _ reason: String) -> DeviceError {
        DeviceError(.invalidDeviceFile, "\(path) is not a usable emulated zoned device: \(reason)")
    }
}

#if canImport(Glibc)
import Glibc
private func unlinkFile(_ path: String) -> Int32 { unlink(path) }
#endif
