#if THREAD_SANITIZER
import Glibc
#else
import Synchronization
#endif

/// State reachable only while holding its lock. For the package's layers, not public API.
///
/// It is a `Synchronization.Mutex`, except in ThreadSanitizer builds (`Tools/test` passes
/// `-DTHREAD_SANITIZER`): on Linux that mutex's futex is hidden from TSan, which then reports
/// every access it guards as a race, so there it is a pthread mutex, which TSan intercepts.
/// Production keeps `Mutex`: it spins before it sleeps, and a pthread mutex (even an adaptive
/// one) cost 2-thread YCSB C about a sixth of its throughput. The engine does not use this type
/// in production: called from another module it stays an unspecialized generic, so the engine
/// stores `Mutex` inline (`EngineLock`) and takes this one only in TSan builds.
package final class Locked<State: ~Copyable>: @unchecked Sendable {
    #if THREAD_SANITIZER
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let state: UnsafeMutablePointer<State>

    package init(_ initial: consuming sending State) {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        state = .allocate(capacity: 1)
        state.initialize(to: initial)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        state.deinitialize(count: 1)
        state.deallocate()
    }

    /// Runs `body` with the state, holding the lock.
    @inline(__always)
    package func withLock<Result, Failure: Error>(
        _ body: (inout sending State) throws(Failure) -> sending Result
    ) throws(Failure) -> sending Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&state.pointee)
    }
    #else
    private let mutex: Mutex<State>

    package init(_ initial: consuming sending State) { mutex = Mutex(initial) }

    /// Runs `body` with the state, holding the lock.
    @inline(__always)
    package func withLock<Result, Failure: Error>(
        _ body: (inout sending State) throws(Failure) -> sending Result
    ) throws(Failure) -> sending Result {
        try mutex.withLock(body)
    }
    #endif
}
