/// What a queue must do to carry out a command once the controller has accepted it.
enum EmulatedAction {
    /// Complete at once with this status (0 or a positive NVMe status or negative errno) and result.
    case complete(status: Int32, result: UInt64)
    /// Read `fileBytes` from the file at `offset` into the slot buffer, then `zeroBytes` of
    /// zeros after them: blocks at or above a zone's write pointer read as zeros, whatever
    /// the file still holds there from before a reset or a power loss.
    case read(offset: UInt64, fileBytes: Int, zeroBytes: Int)
    /// Write `length` bytes of the slot buffer to the file at `offset` for `zone`; complete with
    /// `result`. `intoMapping`: the zone's blocks are allocated, so the bytes may be copied into
    /// the controller's file mapping.
    case write(zone: Int, offset: UInt64, length: Int, result: UInt64, intoMapping: Bool)
    /// Make the file durable, then record every zone's write pointer as durable.
    case flush
}

/// The emulated ZNS controller: decodes NVMe commands and applies the zone rules to the zone
/// table, exactly as a device would, before any data moves.
///
/// Like QEMU's controller, it assigns Zone Append addresses and advances write pointers when a
/// command is submitted, so appends may be in flight in any number. The lock guards only the
/// table; it is never held across data I/O.
final class EmulatedController: Sendable {
    let file: SystemFile
    let geometry: DeviceGeometry
    let dataOffset: UInt64
    private let mapping: MappedRegion
    private let state: Locked<ControllerState>

    struct ControllerState: ~Copyable {
        var zones: ZoneStateMachine
        var faults: [PlannedFault] = []
        /// Zones whose unwritten blocks this controller has allocated in the file (see `write`).
        var allocatedZones: [Bool]
        /// Whether the file system preallocates; if not, writes go through `pwrite`.
        var allocates = true
    }

    /// The shared mapping of the header and zone table.
    struct MappedRegion: @unchecked Sendable {
        let bytes: UnsafeMutableRawBufferPointer
    }

    /// The whole file mapped (buffered devices only): reads and writes are copies out of and
    /// into the page cache with no system call. `nil` when direct I/O is on or the mapping failed.
    private let dataView: MappedRegion?

    init(
        file: SystemFile, mapping: UnsafeMutableRawBufferPointer, geometry: DeviceGeometry, dataOffset: UInt64,
        dataView: UnsafeMutableRawBufferPointer?
    ) {
        self.file = file
        self.geometry = geometry
        self.dataOffset = dataOffset
        self.dataView = dataView.map(MappedRegion.init)
        self.mapping = MappedRegion(bytes: mapping)
        let table = ZoneTable(mapping: mapping, zoneCount: geometry.zoneCount)
        state = Locked(
            ControllerState(
                zones: ZoneStateMachine(table: table, geometry: geometry),
                allocatedZones: Array(repeating: false, count: geometry.zoneCount)))
    }

    deinit {
        if let dataView { unmap(UnsafeRawBufferPointer(dataView.bytes)) }
        unmap(UnsafeRawBufferPointer(mapping.bytes))
        file.close()
    }

    /// Whether reads can be served from the file mapping.
    var readsFromMapping: Bool { dataView != nil }

    /// Copies `target.count` bytes of the file at `offset` (an offset `begin` returned for a
    /// read) out of the mapping.
    func copyFromMapping(at offset: UInt64, into target: UnsafeMutableRawBufferPointer) {
        guard let dataView else { preconditionFailure("the device file is not mapped") }
        target.copyMemory(from: UnsafeRawBufferPointer(rebasing: dataView.bytes[Int(offset)..<Int(offset) + target.count]))
    }

    /// Copies `source` into the mapping at `offset` (an offset `begin` returned for a write into
    /// the mapping).
    func copyIntoMapping(_ source: UnsafeRawBufferPointer, at offset: UInt64) {
        guard let dataView else { preconditionFailure("the device file is not mapped") }
        UnsafeMutableRawBufferPointer(rebasing: dataView.bytes[Int(offset)..<Int(offset) + source.count]).copyMemory(from: source)
    }

    private var table: ZoneTable { ZoneTable(mapping: mapping.bytes, zoneCount: geometry.zoneCount) }

    private func fileOffset(ofBlock block: UInt64) -> UInt64 { dataOffset + block * UInt64(geometry.blockSize) }

    // MARK: Commands

    /// Accepts or rejects `command`, updating zone state; says what I/O is left to do.
    func begin(_ command: NVMeCommand, buffer: IOBuffer) -> EmulatedAction {
        state.withLock { state in
            if let injected = Self.takeFault(for: command, from: &state.faults) {
                return .complete(status: injected.completionStatus, result: 0)
            }
            switch command.opcode {
            case NVMeCommand.Opcode.read: return read(command)
            case NVMeCommand.Opcode.write, NVMeCommand.Opcode.zoneAppend: return write(command, state: &state)
            case NVMeCommand.Opcode.zoneManagementSend: return manage(command, zones: &state.zones)
            case NVMeCommand.Opcode.zoneManagementReceive: return report(command, buffer: buffer)
            case NVMeCommand.Opcode.flush: return .flush
            default: return Self.fail(NVMeStatus.invalidOpcode)
            }
        }
    }

    private static func fail(_ status: UInt16) -> EmulatedAction {
        .complete(status: Int32(status | NVMeStatus.doNotRetry), result: 0)
    }

    private static func takeFault(for command: NVMeCommand, from faults: inout [PlannedFault]) -> InjectedStatus? {
        guard !faults.isEmpty else { return nil }
        var fired: InjectedStatus?
        for index in faults.indices.reversed() where faults[index].kind.matches(command) {
            faults[index].remaining -= 1
            if faults[index].remaining == 0 {
                fired = faults[index].status
                faults.remove(at: index)
            }
        }
        return fired
    }

    /// Transfers above MDTS never reach a real device: the kernel refuses them with EINVAL.
    private func exceedsTransferLimit(_ command: NVMeCommand) -> Bool {
        command.blockCount * geometry.blockSize > geometry.maxTransferBytes
    }

    private func read(_ command: NVMeCommand) -> EmulatedAction {
        if exceedsTransferLimit(command) { return .complete(status: -EINVAL_CODE, result: 0) }
        let start = command.startBlock
        let count = UInt64(command.blockCount)
        guard start + count <= geometry.blockCount else { return Self.fail(NVMeStatus.lbaOutOfRange) }
        let zone = Int(start / geometry.zoneSize)
        guard start + count <= UInt64(zone + 1) * geometry.zoneSize else { return Self.fail(NVMeStatus.zoneBoundaryError) }
        if table.state(zone) == .offline { return Self.fail(NVMeStatus.zoneOffline) }
        let written = UInt64(zone) * geometry.zoneSize + table.writePointer(zone)
        let validBlocks = start >= written ? 0 : min(count, written - start)
        let fileBytes = Int(validBlocks) * geometry.blockSize
        return .read(offset: fileOffset(ofBlock: start), fileBytes: fileBytes, zeroBytes: command.blockCount * geometry.blockSize - fileBytes)
    }

    private func write(_ command: NVMeCommand, state: inout ControllerState) -> EmulatedAction {
        if exceedsTransferLimit(command) { return .complete(status: -EINVAL_CODE, result: 0) }
        let isAppend = command.opcode == NVMeCommand.Opcode.zoneAppend
        let count = UInt64(command.blockCount)
        var start = command.startBlock
        guard start + count <= geometry.blockCount else { return Self.fail(NVMeStatus.lbaOutOfRange) }
        let zone = Int(start / geometry.zoneSize)
        let zoneStart = UInt64(zone) * geometry.zoneSize
        if isAppend {
            guard start == zoneStart else { return Self.fail(NVMeStatus.invalidField) }
            guard command.blockCount * geometry.blockSize <= geometry.maxAppendBytes else { return Self.fail(NVMeStatus.invalidField) }
        }
        switch table.state(zone) {
        case .full: return Self.fail(NVMeStatus.zoneFull)
        case .readOnly: return Self.fail(NVMeStatus.zoneReadOnly)
        case .offline: return Self.fail(NVMeStatus.zoneOffline)
        default: break
        }
        let written = table.writePointer(zone)
        if isAppend {
            start = zoneStart + written
        } else if start != zoneStart + written {
            return Self.fail(NVMeStatus.zoneInvalidWrite)
        }
        guard written + count <= geometry.zoneCapacity else { return Self.fail(NVMeStatus.zoneBoundaryError) }
        let intoMapping: Bool
        do throws(DeviceError) {
            intoMapping = try allocateForMappedWrites(zone: zone, from: written, state: &state)
        } catch {
            return .complete(status: -(error.systemErrorNumber ?? EIO_CODE), result: 0)
        }
        let status = state.zones.openImplicitly(zone)
        guard status == NVMeStatus.success else { return Self.fail(status) }
        table.setWritePointer(zone, written + count)
        if written + count == geometry.zoneCapacity { _ = state.zones.finish(zone) }
        recordLastWrite(zone: zone, start: written, blocks: count)
        return .write(
            zone: zone, offset: fileOffset(ofBlock: start), length: command.blockCount * geometry.blockSize,
            result: isAppend ? start : 0, intoMapping: intoMapping)
    }

    /// Allocates a zone's unwritten blocks in the file the first time this controller writes to
    /// it, and says whether the write may be copied into the mapping. A store through a mapping
    /// into a hole of a full file system would kill the process (SIGBUS) instead of failing the
    /// write, so only allocated blocks are written that way. The lock is held across the
    /// fallocate, a metadata update done once per zone.
    private func allocateForMappedWrites(zone: Int, from written: UInt64, state: inout ControllerState) throws(DeviceError) -> Bool {
        guard dataView != nil, state.allocates else { return false }
        if state.allocatedZones[zone] { return true }
        let blockSize = UInt64(geometry.blockSize)
        let start = fileOffset(ofBlock: UInt64(zone) * geometry.zoneSize + written)
        guard try file.allocate((geometry.zoneCapacity - written) * blockSize, at: start) else {
            state.allocates = false
            return false
        }
        state.allocatedZones[zone] = true
        return true
    }

    private func manage(_ command: NVMeCommand, zones: inout ZoneStateMachine) -> EmulatedAction {
        guard let action = ZoneAction(rawValue: command.zoneSendAction) else { return Self.fail(NVMeStatus.invalidField) }
        if command.selectsAllZones {
            var first = NVMeStatus.success
            for zone in 0..<geometry.zoneCount where ZoneStateMachine.selectAllApplies(action, to: table.state(zone)) {
                let status = apply(action, to: zone, zones: &zones)
                if first == NVMeStatus.success { first = status }
            }
            return first == NVMeStatus.success ? .complete(status: 0, result: 0) : Self.fail(first)
        }
        let start = command.startBlock
        guard start < geometry.blockCount else { return Self.fail(NVMeStatus.lbaOutOfRange) }
        guard start % geometry.zoneSize == 0 else { return Self.fail(NVMeStatus.invalidField) }
        let status = apply(action, to: Int(start / geometry.zoneSize), zones: &zones)
        return status == NVMeStatus.success ? .complete(status: 0, result: 0) : Self.fail(status)
    }

    private func apply(_ action: ZoneAction, to zone: Int, zones: inout ZoneStateMachine) -> UInt16 {
        switch action {
        case .open: return zones.openExplicitly(zone)
        case .close: return zones.close(zone)
        case .finish: return zones.finish(zone)
        case .reset:
            // The old data stays in the file but reads back as zeros (it is above the write
            // pointer), as on a real device: no file system work on the reset path.
            return zones.reset(zone)
        }
    }

    private func report(_ command: NVMeCommand, buffer: IOBuffer) -> EmulatedAction {
        let start = command.startBlock
        guard start < geometry.blockCount else { return Self.fail(NVMeStatus.lbaOutOfRange) }
        let bytes = min(command.dataLength, buffer.count)
        let first = Int(start / geometry.zoneSize)
        let count = min(ZoneReportFormat.capacity(forBufferBytes: bytes), geometry.zoneCount - first)
        buffer.withUnsafeMutableBytes { memory in
            ZoneReportFormat.writeHeader(descriptorCount: count, into: memory)
            for index in 0..<count {
                let zone = first + index
                let zoneStart = UInt64(zone) * geometry.zoneSize
                ZoneReportFormat.write(
                    descriptorAt: index, state: table.state(zone), start: zoneStart, capacity: geometry.zoneCapacity,
                    writePointer: zoneStart + table.writePointer(zone), into: memory)
            }
        }
        return .complete(status: 0, result: 0)
    }

    private func recordLastWrite(zone: Int, start: UInt64, blocks: UInt64) {
        mapping.bytes.storeLittleEndian(UInt32(zone), at: EmulatedDeviceFormat.HeaderField.lastWriteZone)
        mapping.bytes.storeLittleEndian(UInt32(blocks), at: EmulatedDeviceFormat.HeaderField.lastWriteBlocks)
        mapping.bytes.storeLittleEndian(start, at: EmulatedDeviceFormat.HeaderField.lastWriteStart)
    }

    // MARK: Durability

    /// Copies every zone's write pointer into `snapshot` as a flush starts: what a flush makes
    /// durable is what was written before it, not what is written while it runs.
    func snapshotWritePointers(into snapshot: inout [UInt64]) {
        let table = self.table
        if snapshot.count != geometry.zoneCount { snapshot = [UInt64](repeating: 0, count: geometry.zoneCount) }
        state.withLock { _ in
            for zone in 0..<geometry.zoneCount { snapshot[zone] = table.writePointer(zone) }
        }
    }

    /// Called when a flush's data sync has completed: what was written before the flush started
    /// (its snapshot) is now durable.
    func commitFlush(_ snapshot: [UInt64]) throws(DeviceError) {
        let table = self.table
        state.withLock { _ in
            for zone in 0..<geometry.zoneCount {
                let durable = min(snapshot[zone], table.writePointer(zone))
                if durable > table.durableWritePointer(zone) { table.setDurableWritePointer(zone, durable) }
            }
        }
        try synchronizeMapping(mapping.bytes, path: file.path)
    }

    /// A write the controller accepted failed in the file (no space, I/O error): its blocks,
    /// below the write pointer, hold whatever the file had there. The zone goes offline, as a
    /// device's would on a media failure, so stale bytes are never read as data.
    func writeFailed(zone: Int) {
        state.withLock { $0.zones.degrade(zone, to: .offline) }
    }

    // MARK: Test controls

    func plan(_ fault: PlannedFault) {
        state.withLock { $0.faults.append(fault) }
    }

    func clearFaults() {
        state.withLock { $0.faults.removeAll() }
    }

    var plannedFaultCount: Int { state.withLock { $0.faults.count } }

    func degrade(_ zone: ZoneID, to newState: ZoneState) {
        state.withLock { $0.zones.degrade(zone.rawValue, to: newState) }
    }

    /// Loses what was written since the last flush, as a power cut would; open zones come back closed.
    func losePower(tearingLastWrite: Bool) throws(DeviceError) {
        let table = self.table
        let lastZone = Int(mapping.bytes.loadLittleEndianUInt32(at: EmulatedDeviceFormat.HeaderField.lastWriteZone))
        let lastBlocks = UInt64(mapping.bytes.loadLittleEndianUInt32(at: EmulatedDeviceFormat.HeaderField.lastWriteBlocks))
        let lastStart = mapping.bytes.loadLittleEndianUInt64(at: EmulatedDeviceFormat.HeaderField.lastWriteStart)
        state.withLock { state in
            for zone in 0..<geometry.zoneCount {
                let current = table.state(zone)
                guard current != .readOnly, current != .offline else { continue }
                var kept = table.durableWritePointer(zone)
                let written = table.writePointer(zone)
                if tearingLastWrite, zone == lastZone, lastBlocks > 1, lastStart + lastBlocks <= written, lastStart + lastBlocks > kept {
                    kept = max(kept, lastStart + lastBlocks / 2)
                }
                if kept < written {
                    // What lies above the new write pointer reads back as zeros from now on.
                    table.setWritePointer(zone, kept)
                    table.setDurableWritePointer(zone, kept)
                    table.setState(zone, kept == 0 ? .empty : .closed)
                } else if current.isOpen {
                    table.setState(zone, .closed)
                }
            }
            state.zones.recount()
        }
        try file.synchronize()
        try synchronizeMapping(mapping.bytes, path: file.path)
    }
}

#if canImport(Glibc)
import Glibc
private let EINVAL_CODE = EINVAL
private let EIO_CODE = EIO
#endif
