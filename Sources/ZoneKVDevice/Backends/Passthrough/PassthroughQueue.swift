#if canImport(Glibc)
import Glibc
#endif
import CLibURing

/// A device queue that sends NVMe commands to a namespace along one ``CommandPath``: io_uring
/// passthrough (IORING_OP_URING_CMD with 128-byte SQEs and 32-byte CQEs), a blocking ioctl per
/// command, ioctls from a thread pool, or reads and writes through the block layer.
///
/// The queue does not own the device files: its `DeviceQueue` keeps the namespace, which does.
final class PassthroughQueue {
    private let file: SystemFile
    private let namespaceID: UInt32
    private let blockSize: Int
    private let path: CommandPath
    private let ring: Ring
    private let fileIndex: Int32
    private let usesFixedFile: Bool
    private let usesFixedBuffers: Bool
    private let pollsCompletions: Bool
    /// The block device's descriptor (or registered index) on the block-layer path.
    private let blockFileIndex: Int32
    /// The workers of the ioctl thread-pool path.
    private let threadPool: IOCtlThreadPool?
    /// Bytes each slot's block-layer read or write must move (0: not one). io_uring reports
    /// those as byte counts, which the queue turns into statuses.
    private var blockTransferBytes: [Int32]
    /// Commands completed without the ring, waiting to be reaped.
    private var immediate: [RawCompletion] = []

    init(
        file: SystemFile, namespaceID: UInt32, blockSize: Int, blockDevice: SystemFile?, depth: Int, buffers: [IOBuffer],
        options: DeviceOptions, ownership: QueueOwnership
    ) throws(DeviceError) {
        self.file = file
        self.namespaceID = namespaceID
        self.blockSize = blockSize
        path = options.commandPath
        ring = try Ring(
            RingConfiguration(
                entries: depth, usesBigEntries: true, polledCompletions: options.polledCompletions,
                polledSubmissions: options.polledSubmissions, singleIssuer: ownership == .ownerThread))
        usesFixedFile = options.registeredFiles
        usesFixedBuffers = options.fixedBuffers
        pollsCompletions = options.polledCompletions
        immediate.reserveCapacity(depth)
        blockTransferBytes = Array(repeating: 0, count: depth)
        let blockDescriptor = options.commandPath == .blockLayer ? blockDevice?.descriptor : nil
        if options.registeredFiles {
            try ring.registerFiles([file.descriptor] + (blockDescriptor.map { [$0] } ?? []))
            fileIndex = 0
            blockFileIndex = 1
        } else {
            fileIndex = file.descriptor
            blockFileIndex = blockDescriptor ?? -1
        }
        if options.fixedBuffers { try ring.registerBuffers(buffers.map(\.memory)) }
        threadPool = options.commandPath == .ioctlThreadPool ? try IOCtlThreadPool(file: file, depth: depth) : nil
    }

    /// Its `DeviceQueue` has waited for every command in flight, so no worker is in an ioctl.
    deinit {
        threadPool?.stop()
    }

    func prepare(_ command: NVMeCommand, tag: Int, buffer: IOBuffer) throws(DeviceError) {
        switch path {
        case .synchronousIOCtl:
            return runSynchronously(command, tag: tag, buffer: buffer)
        case .ioctlThreadPool:
            return threadPool!.enqueue(kernelCommand(command, buffer: buffer), tag: tag)
        case .blockLayer where command.opcode == NVMeCommand.Opcode.read || command.opcode == NVMeCommand.Opcode.write:
            return try prepareBlockTransfer(command, tag: tag, buffer: buffer)
        case .blockLayer, .ioUring:
            break
        }
        if pollsCompletions && command.dataLength == 0 {
            // Linux 6.1 crashes (bio_poll on a request without a bio) when an IOPOLL ring polls
            // a passthrough command that moves no data, such as Zone Management Send or Flush.
            // Those go through the synchronous ioctl path instead; they are rare and short.
            return runSynchronously(command, tag: tag, buffer: buffer)
        }
        var passthrough = kernelCommand(command, buffer: buffer)
        try ring.prepareNVMeCommand(
            file: fileIndex, fixedFile: usesFixedFile, command: &passthrough,
            fixedBuffer: usesFixedBuffers && command.dataLength > 0 ? tag : nil, userData: UInt64(tag))
    }

    /// The command as the kernel takes it: for the ioctl whole, for io_uring all but its result.
    private func kernelCommand(_ command: NVMeCommand, buffer: IOBuffer) -> nvme_passthru_cmd64 {
        var kernel = nvme_passthru_cmd64()
        kernel.opcode = command.opcode
        kernel.nsid = namespaceID
        if command.dataLength > 0 {
            kernel.addr = UInt64(UInt(bitPattern: buffer.address))
            kernel.data_len = UInt32(command.dataLength)
        }
        kernel.cdw10 = command.dword10
        kernel.cdw11 = command.dword11
        kernel.cdw12 = command.dword12
        kernel.cdw13 = command.dword13
        return kernel
    }

    /// Runs the command now, blocking this thread; its completion waits for the next reap.
    private func runSynchronously(_ command: NVMeCommand, tag: Int, buffer: IOBuffer) {
        var synchronous = kernelCommand(command, buffer: buffer)
        let status = nvmeSynchronousIOCommand(&synchronous, on: file)
        immediate.append(RawCompletion(userData: UInt64(tag), status: status, result: synchronous.result))
    }

    /// A read or write through the block device: an ordinary io_uring read or write with O_DIRECT.
    private func prepareBlockTransfer(_ command: NVMeCommand, tag: Int, buffer: IOBuffer) throws(DeviceError) {
        let offset = command.startBlock * UInt64(blockSize)
        let fixedBuffer = usesFixedBuffers ? tag : nil
        if command.opcode == NVMeCommand.Opcode.read {
            try ring.prepareRead(
                file: blockFileIndex, fixedFile: usesFixedFile, buffer: buffer.address, length: command.dataLength, offset: offset,
                fixedBuffer: fixedBuffer, userData: UInt64(tag))
        } else {
            try ring.prepareWrite(
                file: blockFileIndex, fixedFile: usesFixedFile, buffer: buffer.address, length: command.dataLength, offset: offset,
                fixedBuffer: fixedBuffer, userData: UInt64(tag))
        }
        blockTransferBytes[tag] = Int32(command.dataLength)
    }

    func submit() throws(DeviceError) {
        try ring.submit()
    }

    func reap(minimum: Int, _ body: (RawCompletion) -> Void) throws(DeviceError) -> Int {
        var delivered = 0
        if !immediate.isEmpty {
            for completion in immediate { body(completion) }
            delivered = immediate.count
            immediate.removeAll(keepingCapacity: true)
        }
        let wanted = max(0, minimum - delivered)
        switch path {
        case .synchronousIOCtl:
            return delivered
        case .ioctlThreadPool:
            return delivered + threadPool!.reap(minimum: wanted, body)
        case .blockLayer:
            return delivered + (try ring.reap(minimum: wanted) { completion in body(statusOfBlockTransfer(completion)) })
        case .ioUring:
            return delivered + (try ring.reap(minimum: wanted, body))
        }
    }

    /// A block-layer completion carries a byte count: the whole transfer is success, a short
    /// one an I/O error; passthrough completions pass unchanged.
    private func statusOfBlockTransfer(_ completion: RawCompletion) -> RawCompletion {
        let tag = Int(completion.userData)
        let expected = blockTransferBytes[tag]
        guard expected > 0 else { return completion }
        blockTransferBytes[tag] = 0
        var translated = completion
        translated.status = completion.status == expected ? 0 : completion.status < 0 ? completion.status : -EIO
        return translated
    }

    /// The first zone's descriptor, read while the namespace is being opened.
    func reportFirstZone(geometry: DeviceGeometry) throws(DeviceError) -> ZoneDescriptor {
        let buffer = IOBuffer(byteCount: 4096)
        let command = ZoneCommand.reportZones(from: ZoneID(0), limit: 1)
        try prepare(NVMeCommand(command, geometry: geometry, bufferBytes: buffer.count), tag: 0, buffer: buffer)
        var status: Int32 = 0
        _ = try reap(minimum: 1) { status = $0.status }
        guard status == 0 else { throw DeviceError(completionStatus: status, command: command, backend: .nvme) }
        let zones = try buffer.withUnsafeBytes { bytes throws(DeviceError) in try ZoneReportFormat.parse(bytes, geometry: geometry) }
        guard let first = zones.first else {
            throw DeviceError(.notZoned, "\(file.path) reported no zones")
        }
        return first
    }
}
