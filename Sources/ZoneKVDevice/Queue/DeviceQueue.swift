/// A queue of commands to a zoned device, owned by one thread (or, with
/// ``QueueOwnership/handedBetweenThreads``, used by one thread at a time).
///
/// A queue has a fixed number of command slots (its depth), each with a page-aligned I/O buffer
/// allocated up front; nothing is allocated per command. The pattern is: reserve a tag, fill its
/// buffer, enqueue a command on it, repeat; then `submit()` once for the whole batch, and `reap`
/// completions in batches. Submission and completion happen on the owning thread only, and a
/// completion handler must not call back into its queue.
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

    /// Where a slot is in its life: free → reserved → in flight → (completed, waiting in the
    /// backlog →) delivered, and free again.
    private enum SlotState: Equatable {
        case free
        case reserved
        case inFlight
        /// Completed while the queue waited for another command; delivered by the next `reap`.
        case completedInBacklog
        /// In flight, but its owner gave up waiting (an error); freed silently on completion.
        case abandoned
    }

    private let backend: Backend
    private let buffers: [IOBuffer]
    /// The command on each slot while it is in flight or waiting in the backlog.
    private var commands: [ZoneCommand?]
    private var states: [SlotState]
    private var freeTags: [Int]
    private var backlog: [Completion] = []
    /// Guards against a completion handler calling back into the queue, which would reuse the
    /// completion buffers the queue is iterating.
    private var isReaping = false

    /// Commands enqueued whose completions have not been handed to the caller yet.
    public private(set) var inFlightCount = 0

    init(device: ZonedDevice, depth: Int, bufferBytes: Int?, ownership: QueueOwnership) throws(DeviceError) {
        guard (1...4096).contains(depth) else {
            throw DeviceError(.invalidArgument, "queue depth must be between 1 and 4096, not \(depth)")
        }
        let geometry = device.geometry
        var limit = geometry.maxTransferBytes
        var limitReason = "the device's max transfer"
        if device.backend == .nvme && device.options.fixedBuffers {
            // Linux 6.1 rejects fixed-buffer passthrough I/O whose registration spans more than
            // the NVMe queue's 127 segments (pages).
            limit = min(limit, 127 * 4096 / geometry.blockSize * geometry.blockSize)
            limitReason = "127 pages, the most a fixed buffer may span for NVMe passthrough on Linux 6.1"
        }
        let size = bufferBytes ?? min(limit, max(geometry.maxAppendBytes, 256 << 10))
        guard size >= geometry.blockSize, size % geometry.blockSize == 0, size <= limit else {
            throw DeviceError(
                .invalidArgument,
                "slot buffer size must be a multiple of the \(geometry.blockSize)-byte block size and at most \(limit) bytes (\(limitReason)); got \(size)")
        }
        self.device = device
        self.depth = depth
        self.bufferBytes = size
        buffers = (0..<depth).map { _ in IOBuffer(byteCount: size) }
        commands = Array(repeating: nil, count: depth)
        states = Array(repeating: .free, count: depth)
        freeTags = Array((0..<depth).reversed())
        backlog.reserveCapacity(depth)
        switch device.storage {
        case let .nvme(namespace):
            backend = .nvme(
                try PassthroughQueue(
                    file: namespace.file, namespaceID: namespace.namespaceID, blockSize: geometry.blockSize,
                    blockDevice: namespace.blockDevice, depth: depth, buffers: buffers, options: device.options,
                    ownership: ownership))
        case let .emulated(controller):
            backend = .emulated(
                try EmulatedQueue(controller: controller, depth: depth, buffers: buffers, options: device.options, ownership: ownership))
        }
    }

    /// Waits for every command still in flight: the kernel may write into slot buffers until
    /// their commands complete, so the buffers must outlive them.
    deinit {
        var failures = 0
        while states.contains(where: { $0 == .inFlight || $0 == .abandoned }) && failures < 3 {
            do {
                _ = try reapFromDevice(minimum: 1) { completion in states[completion.tag.index] = .free }
            } catch {
                failures += 1
            }
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
        states[index] = .reserved
        return CommandTag(index)
    }

    /// Gives back a slot that was reserved but not used.
    public func releaseTag(_ tag: CommandTag) {
        precondition(states[tag.index] == .reserved, "\(tag) is not reserved (it is \(states[tag.index])); only a reserved, unused slot can be released")
        states[tag.index] = .free
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
    ///   (`.transferTooLarge`), or a zero-length transfer or negative zone (`.invalidArgument`).
    ///   The slot stays reserved.
    public func enqueue(_ command: ZoneCommand, on tag: CommandTag) throws(DeviceError) {
        precondition(states[tag.index] == .reserved, "\(tag) is not reserved (it is \(states[tag.index]))")
        precondition(!isReaping, "a completion handler must not enqueue on its own queue")
        try validate(command)
        let encoded = NVMeCommand(command, geometry: geometry, bufferBytes: bufferBytes)
        switch backend {
        case let .nvme(queue): try queue.prepare(encoded, tag: tag.index, buffer: buffers[tag.index])
        case let .emulated(queue): queue.prepare(encoded, tag: tag.index)
        }
        commands[tag.index] = command
        states[tag.index] = .inFlight
        inFlightCount += 1
    }

    func validate(_ command: ZoneCommand) throws(DeviceError) {
        switch command {
        case let .append(zone, _), let .manage(_, zone), let .reportZones(zone, _):
            guard zone.rawValue >= 0 else { throw DeviceError(.invalidArgument, "\(command): zone numbers start at 0") }
        default:
            break
        }
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
        precondition(!isReaping, "a completion handler must not submit on its own queue")
        switch backend {
        case let .nvme(queue): try queue.submit()
        case let .emulated(queue): try queue.submit()
        }
    }

    // MARK: Completion

    /// Submits what is queued, waits until at least `minimum` commands have completed, and calls
    /// `body` for every completed command. A slot is free again once `body` returns for it, so
    /// read its buffer inside `body`. `body` must not call back into the queue.
    ///
    /// - Returns: The number of completions passed to `body`.
    @discardableResult
    public func reap(minimum: Int = 0, _ body: (Completion) -> Void) throws(DeviceError) -> Int {
        precondition(minimum <= inFlightCount, "waiting for \(minimum) completions with only \(inFlightCount) commands in flight")
        precondition(!isReaping, "a completion handler must not reap its own queue")
        var delivered = 0
        if !backlog.isEmpty {
            isReaping = true
            for completion in backlog { deliver(completion, body) }
            isReaping = false
            delivered = backlog.count
            backlog.removeAll(keepingCapacity: true)
        }
        if delivered >= minimum && inFlightCount == 0 { return delivered }
        repeat {
            _ = try reapFromDevice(minimum: max(0, minimum - delivered)) { completion in
                deliver(completion, body)
                delivered += 1
            }
        } while delivered < minimum
        return delivered
    }

    private func deliver(_ completion: Completion, _ body: (Completion) -> Void) {
        inFlightCount -= 1
        isReaping = true
        body(completion)
        isReaping = false
        commands[completion.tag.index] = nil
        states[completion.tag.index] = .free
        freeTags.append(completion.tag.index)
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
    func reapOwn(minimum: Int, isOwn: (CommandTag) -> Bool, _ body: (Completion) -> Void) throws(DeviceError) {
        precondition(!isReaping, "a completion handler must not wait on its own queue")
        var own = 0
        while own < minimum {
            _ = try reapFromDevice(minimum: 1) { completion in
                let index = completion.tag.index
                if isOwn(completion.tag) {
                    own += 1
                    inFlightCount -= 1
                    commands[index] = nil
                    states[index] = .reserved
                    body(completion)
                } else {
                    states[index] = .completedInBacklog
                    backlog.append(completion)
                }
            }
        }
    }

    /// Gives up on an in-flight command after an error while waiting for it: its slot is freed
    /// when it completes, and its completion is dropped.
    func abandon(_ tag: CommandTag) {
        switch states[tag.index] {
        case .inFlight:
            states[tag.index] = .abandoned
            inFlightCount -= 1
        case .reserved:
            releaseTag(tag)
        default:
            break
        }
    }

    /// Copies completions out of the backend and passes them on; abandoned slots are freed here.
    private func reapFromDevice(minimum: Int, _ body: (Completion) -> Void) throws(DeviceError) -> Int {
        var passed = 0
        func pass(_ raw: RawCompletion) {
            let index = Int(raw.userData)
            if states[index] == .abandoned {
                commands[index] = nil
                states[index] = .free
                freeTags.append(index)
                return
            }
            guard states[index] == .inFlight, let command = commands[index] else {
                preconditionFailure("completion for \(CommandTag(index)), which has no command in flight")
            }
            let error = raw.status == 0 ? nil : DeviceError(completionStatus: raw.status, command: command, backend: device.backend)
            passed += 1
            body(Completion(tag: CommandTag(index), command: command, error: error, value: error == nil ? raw.result : 0))
        }
        switch backend {
        case let .nvme(queue): _ = try queue.reap(minimum: minimum, pass)
        case let .emulated(queue): _ = try queue.reap(minimum: minimum, pass)
        }
        return passed
    }
}
