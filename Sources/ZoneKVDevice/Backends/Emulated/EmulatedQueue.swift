#if canImport(Glibc)
import Glibc
#endif

/// A device queue over an emulated device file: the controller applies the zone rules, then
/// the data moves through io_uring reads and writes on the file.
final class EmulatedQueue {
    private let controller: EmulatedController
    private let ring: Ring
    private let fileIndex: Int32
    private let usesFixedFile: Bool
    private let usesFixedBuffers: Bool
    private let pollsCompletions: Bool
    /// Buffered writes are copied into the page cache by the submitting thread, through the
    /// controller's mapping or `pwrite` (see `dispatch`).
    private let writesInline: Bool
    /// Reads of a buffered device are copied out of the controller's file mapping.
    private let readsInline: Bool
    /// What the ring I/O of one slot is for, to finish its completion.
    private struct SlotIO {
        /// What the completion reports on success (the assigned address of an append).
        var result: UInt64 = 0
        /// Bytes the I/O must move.
        var length = 0
        var isFlush = false
        /// The zone a write goes to (taken offline if the write fails), or -1.
        var zone = -1
    }
    private var slots: [SlotIO]
    /// Per tag: write pointers as a flush on that slot started (allocated on a slot's first flush).
    private var flushSnapshots: [[UInt64]]
    /// Commands the controller completed at once, waiting to be reaped.
    private var immediate: [RawCompletion] = []
    /// Commands enqueued since the last submission, dispatched together at the next one.
    private var pending: [(command: NVMeCommand, tag: Int)] = []
    private let buffers: [IOBuffer]

    init(
        controller: EmulatedController, depth: Int, buffers: [IOBuffer], options: DeviceOptions, ownership: QueueOwnership
    ) throws(DeviceError) {
        self.controller = controller
        ring = try Ring(
            RingConfiguration(
                entries: depth, usesBigEntries: false, polledCompletions: options.polledCompletions,
                polledSubmissions: options.polledSubmissions, singleIssuer: ownership == .ownerThread))
        usesFixedFile = options.registeredFiles
        usesFixedBuffers = options.fixedBuffers
        pollsCompletions = options.polledCompletions
        writesInline = !options.directIO
        readsInline = controller.readsFromMapping
        if options.registeredFiles {
            try ring.registerFiles([controller.file.descriptor])
            fileIndex = 0
        } else {
            fileIndex = controller.file.descriptor
        }
        if options.fixedBuffers { try ring.registerBuffers(buffers.map(\.memory)) }
        slots = Array(repeating: SlotIO(), count: depth)
        flushSnapshots = Array(repeating: [], count: depth)
        immediate.reserveCapacity(depth)
        pending.reserveCapacity(depth)
        self.buffers = buffers
        if options.polledCompletions { try probePolledReads(buffer: buffers[0]) }
    }

    /// IOPOLL on a file works only when its file system's block device has poll queues; find out
    /// now, with one read, rather than failing on the first real command.
    private func probePolledReads(buffer: IOBuffer) throws(DeviceError) {
        try ring.prepareRead(
            file: fileIndex, fixedFile: usesFixedFile, buffer: buffer.address, length: controller.geometry.blockSize,
            offset: 0, fixedBuffer: usesFixedBuffers ? 0 : nil, userData: 0)  // the header: always allocated, so the read reaches the disk
        var status: Int32 = 0
        _ = try ring.reap(minimum: 1) { status = $0.status }
        if status == -EOPNOTSUPP {
            throw DeviceError(
                .optionUnsupported,
                "completion polling (IOPOLL) does not work for \(controller.file.path): the block device under its file system has no poll queues; open the device without polled completions",
                systemErrorNumber: EOPNOTSUPP)
        }
        guard status >= 0 else {
            throw DeviceError(systemErrorNumber: -status, operation: "polled read probe", path: controller.file.path, backend: .emulated)
        }
    }

    /// Queues a command; the controller sees it at the next submission.
    func prepare(_ command: NVMeCommand, tag: Int) {
        pending.append((command, tag))
    }

    /// Hands the batch to the controller last first, as Linux dispatches a plugged batch of
    /// passthrough commands (its plug list is LIFO): appends submitted together get their
    /// addresses in reverse, as they do on a real device, so callers cannot come to rely on
    /// submission order.
    private func dispatchPending() {
        while let (command, tag) = pending.popLast() {
            do throws(DeviceError) {
                try dispatch(command, tag: tag, buffer: buffers[tag])
            } catch {
                // The ring refused the I/O: the command fails, and a write it had placed takes
                // its zone offline (its blocks were counted but never written).
                if slots[tag].zone >= 0 { controller.writeFailed(zone: slots[tag].zone) }
                immediate.append(RawCompletion(userData: UInt64(tag), status: -(error.systemErrorNumber ?? EIO), result: 0))
            }
        }
    }

    private func dispatch(_ command: NVMeCommand, tag: Int, buffer: IOBuffer) throws(DeviceError) {
        let userData = UInt64(tag)
        slots[tag] = SlotIO()
        switch controller.begin(command, buffer: buffer) {
        case let .complete(status, result):
            immediate.append(RawCompletion(userData: userData, status: status, result: result))
        case let .read(offset, fileBytes, zeroBytes):
            if zeroBytes > 0 { buffer.fill(0, from: fileBytes, count: zeroBytes) }
            guard fileBytes > 0 else {
                immediate.append(RawCompletion(userData: userData, status: 0, result: 0))
                return
            }
            if readsInline {
                buffer.withUnsafeMutableBytes { controller.copyFromMapping(at: offset, into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<fileBytes])) }
                immediate.append(RawCompletion(userData: userData, status: 0, result: 0))
                return
            }
            slots[tag].length = fileBytes
            try ring.prepareRead(
                file: fileIndex, fixedFile: usesFixedFile, buffer: buffer.address, length: fileBytes, offset: offset,
                fixedBuffer: usesFixedBuffers ? tag : nil, userData: userData)
        case let .write(_, offset, length, result, intoMapping: true):
            buffer.withUnsafeBytes { controller.copyIntoMapping(UnsafeRawBufferPointer(rebasing: $0[0..<length]), at: offset) }
            immediate.append(RawCompletion(userData: userData, status: 0, result: result))
        case let .write(zone, offset, length, result, _) where writesInline:
            // A buffered write is a copy into the page cache, a few microseconds. Through io_uring
            // it would be handed to a kernel worker thread on file systems without async
            // buffered writes (ext4), costing tens of microseconds per write at low depth.
            do throws(DeviceError) {
                try buffer.withUnsafeBytes { bytes throws(DeviceError) in
                    try controller.file.write(UnsafeRawBufferPointer(rebasing: bytes[0..<length]), at: offset)
                }
                immediate.append(RawCompletion(userData: userData, status: 0, result: result))
            } catch {
                controller.writeFailed(zone: zone)
                immediate.append(RawCompletion(userData: userData, status: -(error.systemErrorNumber ?? EIO), result: 0))
            }
        case let .write(zone, offset, length, result, _):
            slots[tag] = SlotIO(result: result, length: length, zone: zone)
            try ring.prepareWrite(
                file: fileIndex, fixedFile: usesFixedFile, buffer: buffer.address, length: length, offset: offset,
                fixedBuffer: usesFixedBuffers ? tag : nil, userData: userData)
        case .flush where pollsCompletions:
            // An IOPOLL ring takes only reads and writes: sync the file directly.
            var status: Int32 = 0
            controller.snapshotWritePointers(into: &flushSnapshots[tag])
            do throws(DeviceError) {
                try controller.file.synchronize()
                try controller.commitFlush(flushSnapshots[tag])
            } catch {
                status = -(error.systemErrorNumber ?? EIO)
            }
            immediate.append(RawCompletion(userData: userData, status: status, result: 0))
        case .flush:
            controller.snapshotWritePointers(into: &flushSnapshots[tag])
            slots[tag].isFlush = true
            try ring.prepareDataSync(file: fileIndex, fixedFile: usesFixedFile, userData: userData)
        }
    }

    func submit() throws(DeviceError) {
        dispatchPending()
        try ring.submit()
    }

    func reap(minimum: Int, _ body: (RawCompletion) -> Void) throws(DeviceError) -> Int {
        dispatchPending()
        var delivered = 0
        if !immediate.isEmpty {
            // Deliver these first, but still let the ring make progress on what is in flight.
            for completion in immediate { body(completion) }
            delivered = immediate.count
            immediate.removeAll(keepingCapacity: true)
        }
        delivered += try ring.reap(minimum: max(0, minimum - delivered)) { raw in
            let tag = Int(raw.userData)
            var completion = raw
            let slot = slots[tag]
            if raw.status >= 0 {
                if slot.isFlush {
                    do throws(DeviceError) { try controller.commitFlush(flushSnapshots[tag]) } catch {
                        completion.status = -(error.systemErrorNumber ?? EIO)
                    }
                } else if Int(raw.status) != slot.length {
                    completion.status = -EIO  // a short transfer is an I/O error
                } else {
                    completion.status = 0
                }
                if completion.status == 0 { completion.result = slot.result }
            }
            if completion.status != 0, slot.zone >= 0 { controller.writeFailed(zone: slot.zone) }
            body(completion)
        }
        return delivered
    }
}
