import Dispatch
import Synchronization

/// Lets one garbage collection run at a time. A caller arriving while one runs waits for it
/// and takes its result, rather than collecting a second zone nobody asked for. The lock guards
/// only the gate's own state; nobody holds it across I/O.
final class CollectionGate: Sendable {
    enum Entry {
        /// The caller collects, then calls `leave(with:)`.
        case entered
        /// Another caller's collection finished while this one waited.
        case finishedElsewhere(CollectionSummary?)
    }

    private struct State {
        var running = false
        var waiting: [DispatchSemaphore] = []
        var lastResult: CollectionSummary?
    }

    private let state = Mutex(State())

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

    func leave(with result: CollectionSummary?) {
        let waiting = state.withLock { state in
            state.running = false
            state.lastResult = result
            defer { state.waiting.removeAll() }
            return state.waiting
        }
        for semaphore in waiting { semaphore.signal() }
    }
}
