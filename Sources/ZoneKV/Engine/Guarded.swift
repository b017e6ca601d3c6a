import Synchronization
import ZoneKVDevice

/// State that several threads share, reachable only while holding its lock. Code holding the
/// lock never does I/O: it only looks up or changes memory.
final class Guarded<State>: @unchecked Sendable {
    private let lock = EngineLock<Void>(())
    private let state: State

    init(_ state: State) { self.state = state }

    /// Runs `body` with the state, holding the lock.
    @inline(__always)
    func withLock<Result, Failure: Error>(_ body: (State) throws(Failure) -> Result) throws(Failure) -> Result {
        try lock.withLock { _ throws(Failure) in try body(state) }
    }
}
