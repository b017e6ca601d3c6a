/// Which threads may use a ``DeviceQueue``.
public enum QueueOwnership: Hashable, Sendable {
    /// Only the thread that made the queue submits and reaps on it. The ring is set up for a
    /// single issuer with deferred completion work, the cheapest mode Linux offers.
    case ownerThread
    /// The queue passes between threads (a pool, or a group-commit leader that changes), and
    /// never two at once: the caller serialises use and the hand-over itself.
    case handedBetweenThreads
}
