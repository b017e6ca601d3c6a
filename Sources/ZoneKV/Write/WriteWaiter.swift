import Dispatch

/// One write operation in flight through group commit, and how its writer waits for it.
///
/// Waiters are pooled and reused, so a write allocates nothing for waiting. The writer fills in
/// the request before queuing its records; the leader fills in the outcome and then wakes the
/// writer (a semaphore for a blocked thread, a continuation for a suspended task), with the
/// group-commit lock giving the hand-over its ordering.
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

    let semaphore = DispatchSemaphore(value: 0)

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
