// The io_uring instance of one device queue: the only code that calls liburing.

#if canImport(Glibc)
import Glibc
#endif
import CLibURing

/// How a ring is set up. Big entries are needed for NVMe passthrough commands.
struct RingConfiguration: Hashable, Sendable {
    var entries: Int
    /// 128-byte SQEs and 32-byte CQEs (IORING_SETUP_SQE128 | IORING_SETUP_CQE32).
    var usesBigEntries: Bool
    /// Completions are polled rather than interrupt driven (IORING_SETUP_IOPOLL).
    var polledCompletions: Bool
    /// A kernel thread polls the submission queue (IORING_SETUP_SQPOLL).
    var polledSubmissions: Bool
    /// Only the creating thread ever submits and reaps (IORING_SETUP_SINGLE_ISSUER | DEFER_TASKRUN).
    var singleIssuer: Bool = true
}

/// One completion copied out of the ring.
struct RawCompletion {
    var userData: UInt64
    /// 0 or a positive byte count on success, a negative errno, or a positive NVMe status.
    var status: Int32
    /// The NVMe command's 64-bit result (DW0 | DW1 << 32) for big-CQE rings.
    var result: UInt64
}

/// An io_uring submission and completion queue pair, owned by one thread.
///
/// The `io_uring` struct lives at a stable heap address: liburing keeps pointers into it, and a
/// stored property passed as `&ring` would be both unsound and exclusivity-checked on every call.
final class Ring {
    private let ring: UnsafeMutablePointer<io_uring>
    private let completions: UnsafeMutablePointer<zonekv_completion>
    private let completionCapacity: Int
    let configuration: RingConfiguration
    /// Entries prepared and not yet reaped (every entry completes exactly once): with none, a
    /// reap that need not wait has nothing to find and makes no system call.
    private var outstanding = 0

    init(_ configuration: RingConfiguration) throws(DeviceError) {
        self.configuration = configuration
        ring = .allocate(capacity: 1)
        ring.initialize(to: io_uring())
        completionCapacity = configuration.entries * 2
        completions = .allocate(capacity: completionCapacity)

        var flags: UInt32 = 0
        if configuration.usesBigEntries { flags |= IORING_SETUP_SQE128 | IORING_SETUP_CQE32 }
        if configuration.polledCompletions { flags |= IORING_SETUP_IOPOLL }
        if configuration.polledSubmissions { flags |= IORING_SETUP_SQPOLL }
        var result = Ring.setUp(
            ring, entries: configuration.entries, flags: configuration.singleIssuer ? flags | Ring.singleThreadFlags : flags)
        if result == -EINVAL && configuration.singleIssuer {
            // Kernels before 6.1 lack single-issuer / deferred task running: do without.
            result = Ring.setUp(ring, entries: configuration.entries, flags: flags)
        }
        guard result == 0 else {
            ring.deallocate()
            completions.deallocate()
            throw Ring.setupError(-result, configuration: configuration)
        }
    }

    deinit {
        io_uring_queue_exit(ring)
        ring.deallocate()
        completions.deallocate()
    }

    /// Only the owning thread submits and reaps, and it always waits for completions through
    /// io_uring_enter, so the kernel may defer completion work until then.
    private static let singleThreadFlags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN

    private static func setUp(_ ring: UnsafeMutablePointer<io_uring>, entries: Int, flags: UInt32) -> Int32 {
        var parameters = io_uring_params()
        parameters.flags = flags | IORING_SETUP_CQSIZE
        parameters.cq_entries = UInt32(entries * 2)
        if flags & IORING_SETUP_SQPOLL != 0 { parameters.sq_thread_idle = 100 }
        return io_uring_queue_init_params(UInt32(entries), ring, &parameters)
    }

    private static func setupError(_ number: Int32, configuration: RingConfiguration) -> DeviceError {
        switch number {
        case ENOSYS:
            return DeviceError(.passthroughUnsupported, "io_uring is not available in this kernel (io_uring_setup: ENOSYS); ZoneKV needs Linux 5.19 or later with io_uring enabled")
        case EPERM:
            return DeviceError(.permissionDenied, "io_uring_setup was refused (EPERM): io_uring may be disabled (/proc/sys/kernel/io_uring_disabled) or SQPOLL may need privileges", systemErrorNumber: number)
        case EINVAL where configuration.usesBigEntries:
            return DeviceError(.passthroughUnsupported, "this kernel rejects 128-byte SQEs / 32-byte CQEs (io_uring_setup: EINVAL); NVMe passthrough needs Linux 5.19 or later", systemErrorNumber: number)
        default:
            return DeviceError(systemErrorNumber: number, operation: "io_uring_setup")
        }
    }

    // MARK: Submission

    /// The next free submission entry, submitting what is queued if the ring is full.
    private func nextEntry() throws(DeviceError) -> UnsafeMutablePointer<io_uring_sqe> {
        var entry = io_uring_get_sqe(ring)
        if entry == nil {
            _ = try submit()
            entry = io_uring_get_sqe(ring)
        }
        guard let entry else { throw DeviceError(.queueFull, "the submission queue is full") }
        outstanding += 1
        return entry
    }

    func prepareRead(
        file: Int32, fixedFile: Bool, buffer: UnsafeMutableRawPointer, length: Int, offset: UInt64,
        fixedBuffer: Int?, userData: UInt64
    ) throws(DeviceError) {
        let entry = try nextEntry()
        if let fixedBuffer {
            io_uring_prep_read_fixed(entry, file, buffer, UInt32(length), offset, Int32(fixedBuffer))
        } else {
            io_uring_prep_read(entry, file, buffer, UInt32(length), offset)
        }
        finish(entry, fixedFile: fixedFile, userData: userData)
    }

    func prepareWrite(
        file: Int32, fixedFile: Bool, buffer: UnsafeRawPointer, length: Int, offset: UInt64,
        fixedBuffer: Int?, userData: UInt64
    ) throws(DeviceError) {
        let entry = try nextEntry()
        if let fixedBuffer {
            io_uring_prep_write_fixed(entry, file, buffer, UInt32(length), offset, Int32(fixedBuffer))
        } else {
            io_uring_prep_write(entry, file, buffer, UInt32(length), offset)
        }
        finish(entry, fixedFile: fixedFile, userData: userData)
    }

    func prepareDataSync(file: Int32, fixedFile: Bool, userData: UInt64) throws(DeviceError) {
        let entry = try nextEntry()
        io_uring_prep_fsync(entry, file, IORING_FSYNC_DATASYNC)
        finish(entry, fixedFile: fixedFile, userData: userData)
    }

    /// Queues an NVMe passthrough command (IORING_OP_URING_CMD); needs a big-entry ring.
    func prepareNVMeCommand(
        file: Int32, fixedFile: Bool, command: inout nvme_passthru_cmd64, fixedBuffer: Int?, userData: UInt64
    ) throws(DeviceError) {
        let entry = try nextEntry()
        zonekv_prep_nvme_command(entry, file, fixedFile, &command, Int32(fixedBuffer ?? -1))
        entry.pointee.user_data = userData
    }

    private func finish(_ entry: UnsafeMutablePointer<io_uring_sqe>, fixedFile: Bool, userData: UInt64) {
        if fixedFile { entry.pointee.flags |= zonekv_iosqe_fixed_file }
        entry.pointee.user_data = userData
    }

    /// Submits every queued entry with as few system calls as it takes.
    @discardableResult
    func submit() throws(DeviceError) -> Int {
        var total = 0
        while io_uring_sq_ready(ring) > 0 {
            let result = io_uring_submit(ring)
            if result == -EINTR { continue }
            if result == -EAGAIN || result == -EBUSY {
                // The kernel is short of resources or completions are backed up: let it drain.
                _ = io_uring_get_events(ring)
                continue
            }
            guard result >= 0 else { throw DeviceError(systemErrorNumber: -result, operation: "io_uring_submit") }
            total += Int(result)
        }
        return total
    }

    // MARK: Completion

    /// Submits what is queued, waits until at least `minimum` completions are ready, and passes
    /// every ready completion to `body`. Returns how many were passed.
    func reap(minimum: Int, _ body: (RawCompletion) -> Void) throws(DeviceError) -> Int {
        var delivered = 0
        if minimum <= 0 && outstanding == 0 { return 0 }
        while true {
            let wanted = minimum - delivered
            let result =
                wanted > 0 && Int(io_uring_cq_ready(ring)) < wanted
                ? io_uring_submit_and_wait(ring, UInt32(wanted))
                : io_uring_submit_and_get_events(ring)
            if result == -EEXIST {
                throw DeviceError(
                    .invalidArgument,
                    "io_uring_enter refused the ring (EEXIST): a DeviceQueue was used from a thread other than the one that made it; make one queue per thread",
                    systemErrorNumber: EEXIST)
            }
            if result < 0 && result != -EINTR && result != -EAGAIN && result != -EBUSY && result != -ETIME {
                throw DeviceError(systemErrorNumber: -result, operation: "io_uring_enter")
            }
            let count = Int(zonekv_reap(ring, completions, UInt32(completionCapacity)))
            for index in 0..<count {
                let completion = completions[index]
                body(RawCompletion(userData: completion.user_data, status: completion.res, result: completion.result))
            }
            delivered += count
            outstanding -= count
            if delivered >= minimum { return delivered }
        }
    }

    // MARK: Registration

    /// Registers files so entries can name them by index (IOSQE_FIXED_FILE).
    func registerFiles(_ descriptors: [Int32]) throws(DeviceError) {
        let result = descriptors.withUnsafeBufferPointer { io_uring_register_files(ring, $0.baseAddress, UInt32($0.count)) }
        guard result == 0 else { throw DeviceError(systemErrorNumber: -result, operation: "io_uring_register_files") }
    }

    /// Registers buffers so commands can use them without mapping pages per I/O. Each buffer is
    /// registered on its own: Linux 6.1 rejects fixed-buffer passthrough I/O whose registration
    /// spans more than the queue's max segments (127 pages on nvme-pci).
    func registerBuffers(_ buffers: [UnsafeMutableRawBufferPointer]) throws(DeviceError) {
        let vectors = buffers.map { iovec(iov_base: $0.baseAddress, iov_len: $0.count) }
        let result = vectors.withUnsafeBufferPointer { io_uring_register_buffers(ring, $0.baseAddress, UInt32($0.count)) }
        if result == -ENOMEM {
            let bytes = buffers.reduce(0) { $0 + $1.count }
            throw DeviceError(
                .optionUnsupported,
                "registering \(bytes) bytes of fixed buffers failed (ENOMEM): they count against the locked-memory limit (ulimit -l, RLIMIT_MEMLOCK); raise it, use a smaller queue, or open without fixed buffers",
                systemErrorNumber: ENOMEM)
        }
        guard result == 0 else {
            throw DeviceError(systemErrorNumber: -result, operation: "io_uring_register_buffers")
        }
    }
}
