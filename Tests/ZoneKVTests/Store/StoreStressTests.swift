import Dispatch
import Foundation
import Synchronization
import Testing
import ZoneKV

/// Eight threads and eight tasks mix puts, deletes, batches, gets and scans on a small device
/// while collection and checkpoints run beside them, checked against a model: each writer owns
/// its keys, so it knows their exact state and must read its own writes; what it reads of other
/// writers' keys must be a value really written for that key, never older than one it saw
/// before. At the end, and after a reopen, the store must equal the model. Tools/test runs this
/// suite under ThreadSanitizer too.
@Suite(.serialized) struct StoreStressTests {
    /// 16 zones of 2 MiB against about 3 MiB of live data and 40 MiB written: collection must run.
    private static var options: StoreOptions {
        var geometry = StoreUnderTest.geometry
        geometry.zoneCount = 16
        geometry.zoneSizeBytes = 2 << 20
        geometry.zoneCapacityBytes = 2 << 20
        geometry.maxAppendBytes = 64 << 10
        var options = StoreUnderTest.options(cacheBytes: 256 << 10, geometry: geometry)
        options.checkpointAfterBytes = 4 << 20
        return options
    }

    private static let writers = 16
    private static let keysPerWriter = 60
    private static let operationsPerWriter = StoreUnderTest.isEmulated ? 1_200 : 300

    private static func key(writer: Int, number: Int) -> [UInt8] { [UInt8]("w\(writer / 10)\(writer % 10)-k\(number / 10)\(number % 10)") }

    /// A value that names its key and version, with a body derived from both, so any read can
    /// be checked on its own.
    private static func value(key: [UInt8], version: Int) -> [UInt8] {
        let length = 200 + (version * 7919 + key.count * 31) % 3_000
        return [UInt8]("\(String(decoding: key, as: UTF8.self))#\(version)#") + randomBytes(length, seed: UInt64(version) << 20 | key.reduce(0) { ($0 &* 31 &+ UInt64($1)) & 0xFFFFF })
    }

    /// The version a read value carries, or `nil` if it is not a value written for `key`.
    private static func version(of value: [UInt8], key: [UInt8]) -> Int? {
        let fields = value.split(separator: UInt8(ascii: "#"), maxSplits: 2, omittingEmptySubsequences: false)
        guard fields.count == 3, Array(fields[0]) == key, let version = Int(String(decoding: fields[1], as: UTF8.self)) else { return nil }
        return Self.value(key: key, version: version) == value ? version : nil
    }

    /// One writer's work: its model of its own keys (version, or nil when deleted), and the
    /// newest version it saw of every other key.
    private struct Writer {
        let index: Int
        var model: [Int?] = Array(repeating: nil, count: StoreStressTests.keysPerWriter)
        var versions: [Int] = Array(repeating: 0, count: StoreStressTests.keysPerWriter)
        var seen: [[UInt8]: Int] = [:]
        var random: UInt64
        var failures: [String] = []

        init(index: Int) {
            self.index = index
            random = UInt64(index + 1) &* 0x9E37_79B9_7F4A_7C15
        }

        mutating func next(_ bound: Int) -> Int {
            random ^= random << 13
            random ^= random >> 7
            random ^= random << 17
            return Int(random % UInt64(bound))
        }

        mutating func check(_ value: [UInt8]?, of key: [UInt8]) {
            guard let value else { return }
            guard let version = StoreStressTests.version(of: value, key: key) else {
                failures.append("\(String(decoding: key, as: UTF8.self)): read a value never written for it")
                return
            }
            if version < seen[key, default: 0] {
                failures.append("\(String(decoding: key, as: UTF8.self)): read version \(version) after \(seen[key]!)")
            }
            seen[key] = max(version, seen[key, default: 0])
        }

        /// One random operation, synchronous or through the async interface.
        mutating func step(on store: Store) throws {
            let number = next(StoreStressTests.keysPerWriter)
            let key = StoreStressTests.key(writer: index, number: number)
            switch next(100) {
            case 0..<35:
                versions[number] += 1
                try store.put(key, StoreStressTests.value(key: key, version: versions[number]))
                model[number] = versions[number]
            case 35..<45:
                versions[number] += 1
                try store.delete(key)
                model[number] = nil
            case 45..<55:
                var batch = WriteBatch()
                var changes: [(Int, Int?)] = []
                for _ in 0..<(2 + next(5)) {
                    let member = next(StoreStressTests.keysPerWriter)
                    let memberKey = StoreStressTests.key(writer: index, number: member)
                    versions[member] += 1
                    if next(4) == 0 {
                        batch.delete(memberKey)
                        changes.append((member, nil))
                    } else {
                        batch.put(memberKey, StoreStressTests.value(key: memberKey, version: versions[member]))
                        changes.append((member, versions[member]))
                    }
                }
                try store.write(batch)
                for (member, version) in changes { model[member] = version }
            case 55..<80:
                let read = try store.get(key)
                let expected = model[number].map { StoreStressTests.value(key: key, version: $0) }
                if read != expected { failures.append("\(String(decoding: key, as: UTF8.self)): own write not read back") }
            case 80..<93:
                let other = StoreStressTests.key(writer: next(StoreStressTests.writers), number: number)
                check(try store.get(other), of: other)
            default:
                let start = StoreStressTests.key(writer: next(StoreStressTests.writers), number: 0)
                let pairs = try store.scan(from: start, limit: 1 + next(40))
                for (earlier, later) in zip(pairs, pairs.dropFirst()) where !earlier.key.lexicographicallyPrecedes(later.key) {
                    failures.append("scan out of order at \(String(decoding: later.key, as: UTF8.self))")
                }
                for pair in pairs { check(pair.value, of: pair.key) }
            }
        }

        /// The store's expected contents for this writer's keys.
        var expected: [[UInt8]: [UInt8]] {
            var contents: [[UInt8]: [UInt8]] = [:]
            for (number, version) in model.enumerated() {
                guard let version else { continue }
                let key = StoreStressTests.key(writer: index, number: number)
                contents[key] = StoreStressTests.value(key: key, version: version)
            }
            return contents
        }
    }

    /// What the writers, the maintenance thread and the test share.
    private final class Shared: Sendable {
        let finished = Atomic<Bool>(false)
        let writers = TestLock<[Writer]>([])
        let maintenanceFailures = TestLock<[String]>([])
    }

    @Test func writersReadersCollectionAndCheckpointsAgreeWithTheModel() async throws {
        let (path, cleanUp) = StoreUnderTest.makeDevicePath()
        defer { cleanUp() }
        let store = try Store.format(path, options: Self.options, erasingForeignData: true)
        let shared = Shared()
        // Collection and checkpoints by hand as well as in the background, as often as they go.
        let maintenance = Thread {
            var round = 0
            while !shared.finished.load(ordering: .relaxed) {
                round += 1
                do throws(StoreError) {
                    if round % 4 == 0 { _ = try store.checkpoint() } else { _ = try store.collectGarbage() }
                } catch where error.code == .deviceFull {
                } catch {
                    shared.maintenanceFailures.withLock { $0.append("\(error)") }
                }
                usleep(2_000)
            }
        }
        maintenance.start()

        @Sendable func work(_ index: Int) {
            var writer = Writer(index: index)
            do {
                for _ in 0..<Self.operationsPerWriter { try writer.step(on: store) }
            } catch {
                writer.failures.append("stopped by \(error)")
            }
            shared.writers.withLock { $0.append(writer) }
        }
        // Half the writers are threads of their own, half are tasks of a task group.
        let threads = Self.writers / 2
        await withTaskGroup(of: Void.self) { group in
            for index in threads..<Self.writers { group.addTask { work(index) } }
            group.addTask {
                await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                    Thread {
                        DispatchQueue.concurrentPerform(iterations: threads) { work($0) }
                        done.resume()
                    }.start()
                }
            }
            await group.waitForAll()
        }
        shared.finished.store(true, ordering: .relaxed)
        while !maintenance.isFinished { usleep(1_000) }

        let writers = shared.writers.withLock { $0 }
        for writer in writers { #expect(writer.failures.isEmpty, "writer \(writer.index): \(writer.failures.prefix(5))") }
        let maintenanceFailures = shared.maintenanceFailures.withLock { $0 }
        #expect(maintenanceFailures.isEmpty, "\(maintenanceFailures.prefix(5))")
        let expected = writers.reduce(into: [[UInt8]: [UInt8]]()) { $0.merge($1.expected) { first, _ in first } }
        let statistics = try store.statistics()
        // On the guest's larger namespace the writes may not fill it enough to need collection.
        #expect(statistics.collections > 0 || !StoreUnderTest.isEmulated, "collection ran")
        #expect(statistics.checkpoints > 0, "checkpoints ran")
        #expect(statistics.cacheBytes <= statistics.cacheBudget, "the value cache kept to its budget under load")

        func contents(_ store: Store) throws -> [[UInt8]: [UInt8]] {
            Dictionary(uniqueKeysWithValues: try store.scan().map { ($0.key, $0.value) })
        }
        #expect(try contents(store) == expected)
        try store.close()
        let reopened = try Store.open(path, options: Self.options)
        #expect(try contents(reopened) == expected)
        try reopened.close()
    }
}
