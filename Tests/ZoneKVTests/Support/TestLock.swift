import Foundation

/// A value several test threads share, behind an `NSLock`: a pthread mutex, which
/// ThreadSanitizer sees (it does not see `Synchronization.Mutex` on Linux), so the suites that
/// run under TSan report only races in the store.
final class TestLock<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
