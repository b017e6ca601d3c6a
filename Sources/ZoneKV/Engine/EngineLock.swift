#if THREAD_SANITIZER
import ZoneKVDevice

/// The engine's lock type: the device layer's `Locked` (a pthread mutex) in ThreadSanitizer
/// builds, which TSan can see.
typealias EngineLock<State: ~Copyable> = Locked<State>
#else
import Synchronization

/// The engine's lock type: `Mutex` itself, stored inline. `Locked`, a generic type of another
/// module, was called unspecialized here, with a metadata lookup on every lock: YCSB C at one
/// thread ran 7% faster without it (median of five interleaved runs, 327k -> 349k ops/s).
typealias EngineLock<State: ~Copyable> = Mutex<State>
#endif
