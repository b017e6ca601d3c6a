// Plain POSIX threads for the device layer's blocking work (the ioctl thread pool): they may
// block in the kernel for as long as a command takes, which a shared executor's threads must not.

#if canImport(Glibc)
import Glibc
#endif

/// A started thread that runs one closure to its end.
struct WorkerThread {
    private let handle: pthread_t

    /// Starts a thread running `body`.
    static func start(_ body: @escaping @Sendable () -> Void) throws(DeviceError) -> WorkerThread {
        final class Box { let body: @Sendable () -> Void; init(_ body: @escaping @Sendable () -> Void) { self.body = body } }
        let context = Unmanaged.passRetained(Box(body)).toOpaque()
        var handle = pthread_t()
        let result = pthread_create(&handle, nil, { context in
            let box = Unmanaged<Box>.fromOpaque(context!).takeRetainedValue()
            box.body()
            return nil
        }, context)
        guard result == 0 else {
            Unmanaged<Box>.fromOpaque(context).release()
            throw DeviceError(systemErrorNumber: result, operation: "pthread_create")
        }
        return WorkerThread(handle: handle)
    }

    /// Waits for the thread to finish.
    func join() {
        _ = pthread_join(handle, nil)
    }
}
