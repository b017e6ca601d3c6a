import Dispatch
import Synchronization

/// One write operation in flight through group commit, and how its writer waits for it.
///
/// Waiters are pooled and reused, so a write allocates nothing for waiting. The writer fills in
/// the request before queuing its records; the leader fills in the outcome and then wakes the
/// writer (a semaphore for a blocked thread, a continuation for a suspended task), with the
/// group-commit lock giving the hand-over its ordering. A blocked writer spins briefly before it
/// sleeps, as a leader's append is often done within microseconds.
final class WriteWaiter: @unchecked Sendable {
    enum Role: Equatable {
        case waiting
        /// The operation is done: read `failure` and the results.
        case done
        /// Lead the group commit: the previous leader has left.
        case lead
    }

    // Set by the writer before queuing.
    /// Make the operation durable (device flush) before it counts as done.
    var needsFlush = false
    /// The writer waits in a task rather than on a thread.
    var isAsynchronous = false

    // Set by the leader while the operation is in flight.
    var failure: StoreError?
    /// Where each chunk of a large value went, in order.
    var chunkLocations: [RecordLocation] = []
    /// Batch records that completed, applied to the index only when the batch's commit record does.
    var batchRecords: [RetiredRecord] = []
    /// The state a checkpoint cut captured.
    var checkpointCut: CheckpointCut?
    /// The leader has finished the operation (read and written by leaders only).
    var isFinished = false

    // Guarded by the group-commit lock.
    var role = Role.waiting
    var continuation: UnsafeContinuation<Void, Never>?

    private let semaphore = DispatchSemaphore(value: 0)
    /// How a blocked writer waits: `waiting` (spinning), then `sleeping` on the semaphore; the
    /// leader's wake-up sets `woken` and posts the semaphore only to a sleeper.
    private let wakeState = Atomic<UInt8>(WakeState.waiting)
    private enum WakeState {
        static let waiting: UInt8 = 0
        static let woken: UInt8 = 1
        static let sleeping: UInt8 = 2
    }
    /// How long a blocked writer spins before it sleeps: about what a leader's append takes on a
    /// fast device, so a quick hand-over costs no futex sleep and wake-up, while on a slow device
    /// (or an emulated CPU) the spin ends soon and gives its processor back.
    private static let spinTime = Duration.microseconds(20)

    /// Readies a pooled waiter for a new operation.
    func reset(needsFlush: Bool, isAsynchronous: Bool) {
        self.needsFlush = needsFlush
        self.isAsynchronous = isAsynchronous
        failure = nil
        chunkLocations.removeAll(keepingCapacity: true)
        batchRecords.removeAll(keepingCapacity: true)
        checkpointCut = nil
        isFinished = false
        role = .waiting
        continuation = nil
        wakeState.store(WakeState.waiting, ordering: .relaxed)
    }

    /// Blocks the writer's thread until the leader calls `wake()`: spins a little if one of
    /// `spinners`' places is free (so that spinning writers never crowd out the leader), then sleeps.
    func waitForWake(spinners: SpinnerPlaces) {
        if spinners.enter() {
            defer { spinners.leave() }
            let clock = ContinuousClock()
            let deadline = clock.now.advanced(by: Self.spinTime)
            var checks = 0
            while true {
                if wakeState.load(ordering: .acquiring) == WakeState.woken { return }
                checks += 1
                if checks & 63 == 0, clock.now >= deadline { break }
            }
        }
        let (slept, _) = wakeState.compareExchange(expected: WakeState.waiting, desired: WakeState.sleeping, ordering: .acquiringAndReleasing)
        if slept { semaphore.wait() }
    }

    /// Wakes a writer blocked in `waitForWake()`, posting the semaphore only if it sleeps.
    func wake() {
        if wakeState.exchange(WakeState.woken, ordering: .acquiringAndReleasing) == WakeState.sleeping { semaphore.signal() }
    }
}

/// A record whose append completed, with its place on the device.
struct RetiredRecord {
    var type: RecordType
    var key: [UInt8]
    /// The value as the writer gave it (what a put caches); for a large value, its descriptor.
    var value: [UInt8]
    var location: RecordLocation
    var sequence: UInt64
}
