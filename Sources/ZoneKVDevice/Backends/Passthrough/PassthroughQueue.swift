import CLibURing

/// A device queue that sends NVMe commands to a namespace with io_uring passthrough
/// (IORING_OP_URING_CMD with 128-byte SQEs and 32-byte CQEs).
///
/// The queue does not own the device file: its `DeviceQueue` keeps the namespace, which does.
final class PassthroughQueue {
    private let file: SystemFile
    private let namespaceID: UInt32
    private let ring: Ring
    private let fileIndex: Int32
    private let usesFixedFile: Bool
    private let usesFixedBuffers: Bool
    private let pollsCompletions: Bool
    /// Commands completed without the ring, waiting to be reaped.
    private var immediate: [RawCompletion] = []

    init(
        file: SystemFile, namespaceID: UInt32, depth: Int, buffers: [IOBuffer], options: DeviceOptions, ownership: QueueOwnership
    ) throws(DeviceError) {
        self.file = file
        self.namespaceID = namespaceID
        ring = try Ring(
            RingConfiguration(
                entries: depth, usesBigEntries: true, polledCompletions: options.polledCompletions,
                polledSubmissions: options.polledSubmissions, singleIssuer: ownership == .ownerThread))
        usesFixedFile = options.registeredFiles
        usesFixedBuffers = options.fixedBuffers
        pollsCompletions = options.polledCompletions
        immediate.reserveCapacity(depth)
        if options.registeredFiles {
            try ring.registerFiles([file.descriptor])
            fileIndex = 0
        } else {
            fileIndex = file.descriptor
        }
        if options.fixedBuffers { try ring.registerBuffers(buffers.map(\.memory)) }
    }

    func prepare(_ command: NVMeCommand, tag: Int, buffer: IOBuffer) throws(DeviceError) {
        if pollsCompletions && command.dataLength == 0 {
            // Linux 6.1 crashes (bio_poll on a request without a bio) when an IOPOLL ring polls
            // a passthrough command that moves no data, such as Zone Management Send or Flush.
            // Those go through the synchronous ioctl path instead; they are rare and short.
            var synchronous = nvme_passthru_cmd()
            synchronous.opcode = command.opcode
            synchronous.nsid = namespaceID
            synchronous.cdw10 = command.dword10
            synchronous.cdw11 = command.dword11
            synchronous.cdw12 = command.dword12
            synchronous.cdw13 = command.dword13
            let status = nvmeSynchronousIOCommand(&synchronous, on: file)
            immediate.append(RawCompletion(userData: UInt64(tag), status: status, result: UInt64(synchronous.result)))
            return
        }
        var passthrough = nvme_uring_cmd()
        passthrough.opcode = command.opcode
        passthrough.nsid = namespaceID
        if command.dataLength > 0 {
            passthrough.addr = UInt64(UInt(bitPattern: buffer.address))
            passthrough.data_len = UInt32(command.dataLength)
        }
        passthrough.cdw10 = command.dword10
        passthrough.cdw11 = command.dword11
        passthrough.cdw12 = command.dword12
        passthrough.cdw13 = command.dword13
        try ring.prepareNVMeCommand(
            file: fileIndex, fixedFile: usesFixedFile, command: &passthrough,
            fixedBuffer: usesFixedBuffers && command.dataLength > 0 ? tag : nil, userData: UInt64(tag))
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
        return delivered + (try ring.reap(minimum: max(0, minimum - delivered), body))
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
