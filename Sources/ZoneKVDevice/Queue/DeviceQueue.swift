/// A queue of commands to a zoned device, owned by one thread.
///
/// A queue has a fixed number of command slots (its depth), each with a page-aligned I/O buffer
/// allocated up front; nothing is allocated per command. The pattern is: reserve a tag, fill its
/// buffer, enqueue a command on it, repeat; then `submit()` once for the whole batch, and `reap`
/// completions in batches. Submission and completion happen on the owning thread only.
///
/// ```swift
/// let queue = try device.makeQueue(depth: 32)
/// let tag = queue.reserveTag()!
/// queue.buffer(for: tag).copy(from: record)
/// try queue.enqueue(.append(zone, blockCount: 1), on: tag)
/// try queue.submit()
/// try queue.reap(minimum: 1) { completion in print(completion.assignedAddress) }
/// ```
public final class DeviceQueue {
    /// The device the queue sends commands to.
    public let device: ZonedDevice
    /// The number of command slots: how many commands can be in flight at once.
    public let depth: Int
    /// Bytes of each slot's I/O buffer: the most one command on this queue can transfer.
    public let bufferBytes: Int

    private enum Backend {
        case nvme(PassthroughQueue)
        case emulated(EmulatedQueue)
    }
    private let backend: Backend
    private let buffers: [IOBuffer]
    /// The command on each slot, or `nil` while the slot is free or only reserved.
    private var commands: [ZoneCommand?]
    private var freeTags: [Int]
    /// Completions reaped while waiting for one particular command, delivered by the next `reap`.
    private var backlog: [Completion] = []

    /// Commands enqueued and not yet reaped.
    public private(set) var inFlightCount = 0

    init(device: ZonedDevice, depth: Int, bufferBytes: Int?) throws(DeviceError) {
        guard (1...4096).contains(depth) else {
            throw DeviceError(.invalidArgument, "queue depth must be between 1 and 4096, not \(depth)")
        }
        let geometry = device.geometry
        let size = bufferBytes ?? min(geometry.maxTransferBytes, max(geometry.maxAppendBytes, 256 << 10))
        guard size >= geometry.blockSize, size % geometry.blockSize == 0, size <= geometry.maxTransferBytes else {
            throw DeviceError(
                .invalidArgument,
                "slot buffer size must be a multiple of the \(geometry.blockSize)-byte block size, at most the max transfer of \(geometry.maxTransferBytes) bytes; got \(size)")
        }
        self.device = device
        self.depth = depth
        self.bufferBytes = size
        buffers = (0..<depth).map { _ in IOBuffer(byteCount: size) }
        commands = Array(repeating: nil, count: depth)
        freeTags = Array((0..<depth).reversed())
        backlog.reserveCapacity(depth)
        switch device.storage {
        case let .nvme(namespace):
            backend = .nvme(
                try PassthroughQueue(
                    file: namespace.file, namespaceID: namespace.namespaceID, depth: depth, buffers: buffers, options: device.options))
        case let .emulated(controller):
            backend = .emulated(try EmulatedQueue(controller: controller, depth: depth, buffers: buffers, options: device.options))
        }
    }

    /// The device's geometry.
    public var geometry: DeviceGeometry { device.geometry }

    /// Whether a slot is free for another command.
    public var hasFreeTag: Bool { !freeTags.isEmpty }

    // MARK: Slots

    /// Takes a free command slot, or returns `nil` if every slot is busy (reap some first).
    ///
    /// - Complexity: O(1).
    public func reserveTag() -> CommandTag? {
        guard let index = freeTags.popLast() else { return nil }
        return CommandTag(index)
    }

    /// Gives back a slot that was reserved but not used.
    public func releaseTag(_ tag: CommandTag) {
        precondition(commands[tag.index] == nil, "\(tag) has a command in flight; it is released when reaped")
        precondition(!freeTags.contains(tag.index), "\(tag) is not reserved")
        freeTags.append(tag.index)
    }

    /// The I/O buffer of a slot: fill it before enqueuing a write or append; read it in the
    /// completion handler after a read or zone report.
    public func buffer(for tag: CommandTag) -> IOBuffer { buffers[tag.index] }

    // MARK: Submission

    /// Queues `command` on a reserved slot. It reaches the device at the next `submit()` or `reap`.
    ///
    /// - Throws: `DeviceError` for commands refused before they reach the device: an append
    ///   above the append limit (`.appendTooLarge`), a transfer above the slot buffer
    ///   (`.transferTooLarge`), or a zero-length transfer (`.invalidArgument`).
    public func enqueue(_ command: ZoneCommand, on tag: CommandTag) throws(DeviceError) {
        precondition(commands[tag.index] == nil, "\(tag) already has a command in flight")
        try validate(command)
        let encoded = NVMeCommand(command, geometry: geometry, bufferBytes: bufferBytes)
        switch backend {
        case let .nvme(queue): try queue.prepare(encoded, tag: tag.index, buffer: buffers[tag.index])
        case let .emulated(queue): queue.prepare(encoded, tag: tag.index)
        }
        commands[tag.index] = command
        inFlightCount += 1
    }

    func validate(_ command: ZoneCommand) throws(DeviceError) {
        let blocks = command.transferBlocks
        switch command {
        case .read, .write, .append:
            guard blocks > 0 else { throw DeviceError(.invalidArgument, "\(command): a transfer needs at least one block") }
        default:
            return
        }
        let bytes = blocks * geometry.blockSize
        if case .append = command, bytes > geometry.maxAppendBytes {
            throw DeviceError(
                .appendTooLarge,
                "\(command) refused: \(bytes) bytes exceed the device's Zone Append limit of \(geometry.maxAppendBytes) bytes (ZASL); split the data into appends of at most that size")
        }
        guard bytes <= bufferBytes else {
            throw DeviceError(
                .transferTooLarge,
                "\(command) refused: \(bytes) bytes exceed the \(bufferBytes)-byte command buffer (device max transfer \(geometry.maxTransferBytes) bytes); use the splitting read and write helpers")
        }
    }

    /// Sends every queued command to the device, with as few system calls as possible.
    public func submit() throws(DeviceError) {
        switch backend {
        case let .nvme(queue): try queue.submit()
        case let .emulated(queue): try queue.submit()
        }
    }

    // MARK: Completion

    /// Submits what is queued, waits until at least `minimum` commands have completed, and calls
    /// `body` for every completed command. A slot is free again once `body` returns for it, so
    /// read its buffer inside `body`.
    ///
    /// - Returns: The number of completions passed to `body`.
    @discardableResult
    public func reap(minimum: Int = 0, _ body: (Completion) -> Void) throws(DeviceError) -> Int {
        precondition(
            minimum <= inFlightCount + backlog.count,
            "waiting for \(minimum) completions with only \(inFlightCount + backlog.count) commands in flight")
        var delivered = 0
        if !backlog.isEmpty {
            for completion in backlog {
                body(completion)
                freeTags.append(completion.tag.index)
            }
            delivered = backlog.count
            backlog.removeAll(keepingCapacity: true)
        }
        if delivered >= minimum && inFlightCount == 0 { return delivered }
        delivered += try reapFromDevice(minimum: max(0, minimum - delivered)) { completion in
            body(completion)
            freeTags.append(completion.tag.index)
        }
        return delivered
    }

    /// Waits for the command on `tag` alone, keeping other completions for the next `reap`, and
    /// returns its completion. The slot stays reserved for the caller, who releases it.
    func wait(for tag: CommandTag) throws(DeviceError) -> Completion {
        var found: Completion?
        while found == nil {
            try reapOwn(minimum: 1, isOwn: { $0 == tag }) { found = $0 }
        }
        return found!
    }

    /// Reaps completions of the caller's own commands (those `isOwn` accepts) into `body`,
    /// leaving their slots reserved; other completions wait in the backlog for the next `reap`.
    func reapOwn(
        minimum: Int, isOwn: (CommandTag) -> Bool, _ body: (Completion) -> Void
    ) throws(DeviceError) {
        var own = 0
        while own < minimum {
            _ = try reapFromDevice(minimum: 1) { completion in
                if isOwn(completion.tag) {
                    own += 1
                    body(completion)
                } else {
                    backlog.append(completion)
                }
            }
        }
    }

    private func reapFromDevice(minimum: Int, _ body: (Completion) -> Void) throws(DeviceError) -> Int {
        func deliver(_ raw: RawCompletion) {
            let index = Int(raw.userData)
            guard let command = commands[index] else { preconditionFailure("completion for idle tag \(index)") }
            commands[index] = nil
            inFlightCount -= 1
            let error = raw.status == 0 ? nil : DeviceError(completionStatus: raw.status, command: command, backend: device.backend)
            body(Completion(tag: CommandTag(index), command: command, error: error, value: error == nil ? raw.result : 0))
        }
        switch backend {
        case let .nvme(queue): return try queue.reap(minimum: minimum, deliver)
        case let .emulated(queue): return try queue.reap(minimum: minimum, deliver)
        }
    }
}
