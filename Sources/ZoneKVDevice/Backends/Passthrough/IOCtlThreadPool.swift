import CLibURing
import Dispatch

/// Asynchronous commands over the blocking NVMe ioctl: one worker thread per queue slot takes a
/// queued command, runs it with NVME_IOCTL_IO64_CMD and posts its completion. This is how
/// asynchronous I/O is emulated where only a synchronous interface exists (xNVMe's thread-pool
/// backend); `zonekv-bench iopaths` measures it against io_uring passthrough.
///
/// Every array is sized for the queue's depth up front, so running a command allocates nothing.
final class IOCtlThreadPool: @unchecked Sendable {
    private struct Shared {
        /// Commands waiting for a worker, in a ring of `depth` entries.
        var waiting: [(tag: Int, command: nvme_passthru_cmd64)]
        var waitingHead = 0
        var waitingCount = 0
        /// Completions waiting for `reap`.
        var completed: [RawCompletion]
        var isStopping = false
    }

    private let file: SystemFile
    private let shared: Locked<Shared>
    /// Signalled once per queued command (and once per worker at shutdown).
    private let workAvailable = DispatchSemaphore(value: 0)
    /// Signalled once per completion. `reap` may take more completions than it waited for, so
    /// a later wait can wake to find none: it then waits again.
    private let completionPosted = DispatchSemaphore(value: 0)
    private var workers: [WorkerThread] = []
    /// `reap`'s scratch, swapped with the shared completions under the lock (owner thread only).
    private var delivering: [RawCompletion]

    init(file: SystemFile, depth: Int) throws(DeviceError) {
        self.file = file
        let placeholder = (tag: 0, command: nvme_passthru_cmd64())
        var initial = Shared(waiting: Array(repeating: placeholder, count: depth), completed: [])
        initial.completed.reserveCapacity(depth)
        shared = Locked(initial)
        delivering = []
        delivering.reserveCapacity(depth)
        do {
            for _ in 0..<depth { workers.append(try WorkerThread.start { [self] in work() }) }
        } catch {
            stop()
            throw error
        }
    }

    /// Stops and joins the workers. The pool's owner calls it once no command is in flight:
    /// each worker holds the pool, so the pool cannot end before its workers do.
    func stop() {
        shared.withLock { $0.isStopping = true }
        for _ in workers { workAvailable.signal() }
        for worker in workers { worker.join() }
        workers.removeAll()
    }

    /// Queues `command` for the next free worker.
    func enqueue(_ command: nvme_passthru_cmd64, tag: Int) {
        shared.withLock { state in
            precondition(state.waitingCount < state.waiting.count, "more commands queued than the pool has slots")
            let slot = (state.waitingHead + state.waitingCount) % state.waiting.count
            state.waiting[slot] = (tag, command)
            state.waitingCount += 1
        }
        workAvailable.signal()
    }

    /// Waits until at least `minimum` commands have completed, then passes every completion
    /// ready to `body`. Returns how many it passed.
    func reap(minimum: Int, _ body: (RawCompletion) -> Void) -> Int {
        var delivered = 0
        var waits = 0
        while true {
            shared.withLock { state in swap(&state.completed, &delivering) }
            for completion in delivering { body(completion) }
            delivered += delivering.count
            delivering.removeAll(keepingCapacity: true)
            if delivered >= minimum { break }
            completionPosted.wait()
            waits += 1
        }
        // Take back the signals of completions delivered without waiting for them, so that the
        // next wait blocks instead of waking to nothing. A signal not posted yet is left: it
        // costs one empty wake-up later.
        while waits < delivered, completionPosted.wait(timeout: .now()) == .success { waits += 1 }
        return delivered
    }

    /// A worker's life: take a command, run it, post its completion, until the pool stops.
    private func work() {
        while true {
            workAvailable.wait()
            let next = shared.withLock { state -> (tag: Int, command: nvme_passthru_cmd64)? in
                guard !state.isStopping, state.waitingCount > 0 else { return nil }
                let entry = state.waiting[state.waitingHead]
                state.waitingHead = (state.waitingHead + 1) % state.waiting.count
                state.waitingCount -= 1
                return entry
            }
            guard let next else { return }
            var command = next.command
            let status = nvmeSynchronousIOCommand(&command, on: file)
            shared.withLock { state in
                state.completed.append(RawCompletion(userData: UInt64(next.tag), status: status, result: command.result))
            }
            completionPosted.signal()
        }
    }
}
