import ZoneKVDevice
import Synchronization
import Dispatch

/// Lets one run of a piece of maintenance (a garbage collection, a checkpoint) go at a time. A
/// caller arriving while one runs waits for it and takes its result, rather than starting a
/// second run nobody asked for. The lock guards only the gate's own state; nobody holds it
/// across I/O.
final class SingleFlight<Outcome: Sendable>: Sendable {
    enum Entry {
        /// The caller runs, then calls `leave(with:)`.
        case entered
        /// Another caller's run finished while this one waited.
        case finishedElsewhere(Outcome?)
    }

    private struct State {
        var running = false
        var waiting: [DispatchSemaphore] = []
        var lastResult: Outcome?
    }

    private let state = EngineLock(State())

    func enter() -> Entry {
        let wait: DispatchSemaphore? = state.withLock { state in
            guard state.running else {
                state.running = true
                return nil
            }
            let semaphore = DispatchSemaphore(value: 0)
            state.waiting.append(semaphore)
            return semaphore
        }
        guard let wait else { return .entered }
        wait.wait()
        return .finishedElsewhere(state.withLock { $0.lastResult })
    }

    func leave(with result: Outcome?) {
        let waiting = state.withLock { state in
            state.running = false
            state.lastResult = result
            defer { state.waiting.removeAll() }
            return state.waiting
        }
        for semaphore in waiting { semaphore.signal() }
    }

    /// Runs `body` unless a run is going on, in which case it waits for that one and returns
    /// its outcome (`nil` if it failed).
    func run(_ body: () throws(StoreError) -> Outcome?) throws(StoreError) -> Outcome? {
        switch enter() {
        case let .finishedElsewhere(outcome):
            return outcome
        case .entered:
            var outcome: Outcome?
            defer { leave(with: outcome) }
            outcome = try body()
            return outcome
        }
    }
}
