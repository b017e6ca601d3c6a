import Synchronization

/// How many blocked writers may spin at once: one fewer than the processors, so the leader
/// always has one.
final class SpinnerPlaces: Sendable {
    private let spinning = Atomic<Int>(0)
    private let limit: Int

    init(processors: Int) { limit = max(0, processors - 1) }

    /// Takes a place, or returns `false` if none is free.
    func enter() -> Bool {
        if spinning.wrappingAdd(1, ordering: .relaxed).newValue <= limit { return true }
        spinning.wrappingSubtract(1, ordering: .relaxed)
        return false
    }

    func leave() {
        spinning.wrappingSubtract(1, ordering: .relaxed)
    }
}
