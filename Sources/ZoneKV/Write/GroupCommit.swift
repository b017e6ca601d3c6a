import ZoneKVDevice
import Synchronization
import Foundation
import Dispatch

/// Group commit: writers queue their records and wait; one of them, the leader, packs what
/// every writer queued into shared append units and does the I/O, then wakes the others.
///
/// There is no writer thread. The first writer to find no leader leads, on its own thread, so a
/// lone writer pays no thread hand-off. A leader whose own operation is done leaves: it passes
/// leadership (and the `WritePipeline`) to a writer still waiting, or resigns when nothing is
/// left. No lock is held across I/O; the lock here only guards the queue and the hand-over.
final class GroupCommit: @unchecked Sendable {
    private struct Shared {
        var queued: [PendingItem] = []
        var hasLeader = false
        var nextSequence: UInt64
        var spareWaiters: [WriteWaiter] = []
        var isClosed = false
    }

    private let shared: EngineLock<Shared>
    /// Touched only by the current leader.
    private let pipeline: WritePipeline
    /// Scratch for the leader's wake-ups (leader only), kept to avoid allocating per wake-up.
    private var wakeList: [WriteWaiter] = []
    private var resumeList: [(WriteWaiter, UnsafeContinuation<Void, Never>?)] = []
    private let spinners = SpinnerPlaces(processors: ProcessInfo.processInfo.activeProcessorCount)

    init(pipeline: WritePipeline, nextSequence: UInt64) {
        self.pipeline = pipeline
        var initial = Shared(nextSequence: nextSequence)
        initial.queued.reserveCapacity(1024)
        shared = EngineLock(initial)
    }

    // MARK: Writing

    /// Queues one operation's records, built by `build` with the operation's sequence number, and
    /// waits until the operation is done. Throws what went wrong, if anything did; `results`
    /// reads what the leader recorded (chunk locations) before the waiter is reused.
    func perform<Result>(
        needsFlush: Bool, _ build: (UInt64, WriteWaiter, inout [PendingItem]) -> Void,
        results: (WriteWaiter) -> Result = { _ in () }
    ) throws(StoreError) -> Result {
        let (waiter, leads) = try enqueue(needsFlush: needsFlush, isAsynchronous: false, build)
        if !leads { waiter.waitForWake(spinners: spinners) }
        if leads || waiter.role == .lead { lead(for: waiter) }
        return try finish(waiter, results)
    }

    /// `perform` for tasks: a waiting task suspends instead of blocking its thread. A task that
    /// leads does the I/O on its thread, as a synchronous writer would.
    func perform<Result>(
        needsFlush: Bool, _ build: (UInt64, WriteWaiter, inout [PendingItem]) -> Void,
        results: (WriteWaiter) -> Result = { _ in () }
    ) async throws(StoreError) -> Result {
        let (waiter, leads) = try enqueue(needsFlush: needsFlush, isAsynchronous: true, build)
        if !leads {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
                let resumeNow = shared.withLock { _ in
                    guard waiter.role == .waiting else { return true }
                    waiter.continuation = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
        if leads || waiter.role == .lead { lead(for: waiter) }
        return try finish(waiter, results)
    }

    private func enqueue(
        needsFlush: Bool, isAsynchronous: Bool, _ build: (UInt64, WriteWaiter, inout [PendingItem]) -> Void
    ) throws(StoreError) -> (WriteWaiter, leads: Bool) {
        try shared.withLock { state throws(StoreError) in
            guard !state.isClosed else { throw StoreError(.closed, "the store is closed; open it again to write") }
            let waiter = state.spareWaiters.popLast() ?? WriteWaiter()
            waiter.reset(needsFlush: needsFlush, isAsynchronous: isAsynchronous)
            build(state.nextSequence, waiter, &state.queued)
            state.nextSequence += 1
            let leads = !state.hasLeader
            state.hasLeader = true
            return (waiter, leads)
        }
    }

    private func finish<Result>(_ waiter: WriteWaiter, _ results: (WriteWaiter) -> Result) throws(StoreError) -> Result {
        let failure = waiter.failure
        let result = results(waiter)
        shared.withLock { $0.spareWaiters.append(waiter) }
        if let failure { throw failure }
        return result
    }

    /// Refuses new operations; those already queued still complete.
    func close() {
        shared.withLock { $0.isClosed = true }
    }

    // MARK: Leading

    /// Runs the pipeline until `own` is done, then leaves leadership to a waiting writer or
    /// resigns it.
    private func lead(for own: WriteWaiter) {
        while true {
            shared.withLock { pipeline.takeItems(from: &$0.queued) }
            pipeline.advance()
            pipeline.collectFinished(into: &wakeList)
            wake(wakeList, leader: own)
            if own.isFinished {
                leave()
                return
            }
        }
    }

    private func wake(_ waiters: [WriteWaiter], leader: WriteWaiter) {
        guard !waiters.isEmpty else { return }
        resumeList.removeAll(keepingCapacity: true)
        shared.withLock { _ in
            for waiter in waiters {
                waiter.isFinished = true
                if waiter === leader { continue }
                waiter.role = .done
                resumeList.append((waiter, waiter.continuation))
                waiter.continuation = nil
            }
        }
        for (waiter, continuation) in resumeList {
            if let continuation { continuation.resume() } else if !waiter.isAsynchronous { waiter.wake() }
        }
    }

    /// Resigns when there is no work left, or hands leadership to a writer still waiting.
    private func leave() {
        let successor: (WriteWaiter, UnsafeContinuation<Void, Never>?)? = shared.withLock { state in
            guard let next = pipeline.someWaitingOperation ?? state.queued.first?.waiter else {
                state.hasLeader = false
                return nil
            }
            next.role = .lead
            let continuation = next.continuation
            next.continuation = nil
            return (next, continuation)
        }
        guard let (next, continuation) = successor else { return }
        if let continuation { continuation.resume() } else if !next.isAsynchronous { next.wake() }
    }
}
