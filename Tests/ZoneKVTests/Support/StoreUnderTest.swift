import Foundation
import ZoneKV

/// Where store tests run: a fresh emulated device file per test, or, when
/// `ZONEKV_TEST_STORE_DEVICE` names one (e.g. `/dev/ng0n1` in the guest), a real device that
/// each test formats first.
enum StoreUnderTest {
    static var realDevice: String? {
        ProcessInfo.processInfo.environment["ZONEKV_TEST_STORE_DEVICE"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// A small emulated device shaped like QEMU's first guest namespace: zones not a power of
    /// two, capacity below size, 4 open / 8 active.
    static var geometry: EmulatedGeometry {
        var geometry = EmulatedGeometry()
        geometry.blockSize = 512
        geometry.zoneSizeBytes = 6 << 20
        geometry.zoneCapacityBytes = 5 << 20
        geometry.zoneCount = 32
        geometry.maxOpenZones = 4
        geometry.maxActiveZones = 8
        geometry.maxAppendBytes = 128 << 10
        geometry.maxTransferBytes = 512 << 10
        return geometry
    }

    /// A device path for one test: a new emulated file path (not yet created), or the real
    /// device. `cleanUp` removes the file.
    static func makeDevicePath() -> (path: String, cleanUp: @Sendable () -> Void) {
        if let realDevice { return (realDevice, {}) }
        let directory = ProcessInfo.processInfo.environment["ZONEKV_TEST_DIRECTORY"] ?? NSTemporaryDirectory()
        let path = (directory as NSString).appendingPathComponent("zonekv-store-\(UUID().uuidString).zns")
        return (path, { try? FileManager.default.removeItem(atPath: path) })
    }

    static func options(cacheBytes: Int = 1 << 20, geometry: EmulatedGeometry = StoreUnderTest.geometry) -> StoreOptions {
        var options = StoreOptions(cacheBytes: cacheBytes)
        options.emulatedGeometry = geometry
        return options
    }

    /// Formats a new store for one test and runs `body` with it and its path (to reopen it).
    static func withStore<Result>(
        options: StoreOptions = StoreUnderTest.options(), _ body: (Store, String) throws -> Result
    ) throws -> Result {
        let (path, cleanUp) = makeDevicePath()
        defer { cleanUp() }
        let store = try Store.format(path, options: options, erasingForeignData: true)
        defer { try? store.close() }
        return try body(store, path)
    }

    /// Whether the tests run on a real device (tests that need the emulator's controls skip).
    static var isEmulated: Bool { realDevice == nil }

    /// The error `body` throws, or `nil` if it returns.
    static func failure(of body: () throws(StoreError) -> Void) -> StoreError? {
        do throws(StoreError) {
            try body()
            return nil
        } catch {
            return error
        }
    }

    /// Puts `key-N` = `randomBytes(valueBytes, seed: N + 1)` for N = 0, 1, ... until a put
    /// fails or `limit` are written; returns how many were written and the failure.
    static func putUntilFailure(_ store: Store, prefix: String, valueBytes: Int, limit: Int) -> (written: Int, failure: StoreError?) {
        var written = 0
        var failure: StoreError?
        while failure == nil && written < limit {
            failure = Self.failure { () throws(StoreError) in
                try store.put([UInt8]("\(prefix)-\(written)"), randomBytes(valueBytes, seed: UInt64(written) + 1))
            }
            if failure == nil { written += 1 }
        }
        return (written, failure)
    }
}

extension Array where Element == UInt8 {
    /// Bytes of a string, for readable tests.
    init(_ text: String) { self = Array(text.utf8) }
}

/// Incompressible test bytes from a seed (xorshift), fast enough for 64 MiB in a debug build.
func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
    var state = seed | 1
    return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
        var index = 0
        while index < count {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            var word = state
            for _ in 0..<min(8, count - index) {
                buffer[index] = UInt8(truncatingIfNeeded: word)
                word >>= 8
                index += 1
            }
        }
        initialized = count
    }
}
