import Foundation
import Dispatch
import Synchronization
import Testing
import ZoneKV

/// Many threads and tasks on one store: each reads its own writes at once, scans see a
/// consistent ordered view, concurrent writers share appends, and everything survives reopen.
@Suite(.serialized) struct StoreConcurrencyTests {
    private static func value(thread: Int, key: Int, version: Int) -> [UInt8] {
        [UInt8]("t\(thread)-k\(key)-v\(version)-") + randomBytes(64 + (key * 37) % 700, seed: UInt64(thread * 1000 + key * 10 + version + 1))
    }

    @Test func threadsReadTheirOwnWritesAndShareAppends() throws {
        let threads = 8
        let keysPerThread = 40
        let versions = StoreUnderTest.isEmulated ? 6 : 3
        try StoreUnderTest.withStore(options: StoreUnderTest.options(cacheBytes: 64 << 10)) { store, path in
            let failures = TestLock<[String]>([])
            DispatchQueue.concurrentPerform(iterations: threads) { thread in
                func fail(_ message: String) { failures.withLock { $0.append("thread \(thread): \(message)") } }
                do {
                    for version in 1...versions {
                        for key in 0..<keysPerThread {
                            let name = [UInt8]("t\(thread)-k\(key)")
                            if version == versions && key % 5 == 0 {
                                try store.delete(name)
                                if try store.get(name) != nil { fail("deleted key \(key) still readable") }
                                continue
                            }
                            let value = Self.value(thread: thread, key: key, version: version)
                            if key % 7 == 0 {
                                var batch = WriteBatch()
                                batch.put(name, value)
                                batch.put(name + [UInt8]("-twin"), value)
                                try store.write(batch)
                            } else {
                                try store.put(name, value)
                            }
                            if try store.get(name) != value { fail("key \(key) version \(version) not read back") }
                        }
                        // Scans run while other threads write: ordered, no duplicates.
                        let scanned = try store.scan(prefix: [UInt8]("t"), limit: 200).map(\.key)
                        if scanned != scanned.sorted(by: { $0.lexicographicallyPrecedes($1) }) || Set(scanned).count != scanned.count {
                            fail("a scan came back out of order or with duplicates")
                        }
                    }
                } catch {
                    fail("\(error)")
                }
            }
            #expect(failures.withLock { $0 }.isEmpty, "\(failures.withLock { $0 }.prefix(5))")

            func verify(_ store: Store) throws {
                for thread in 0..<threads {
                    for key in 0..<keysPerThread {
                        let expected = key % 5 == 0 ? nil : Self.value(thread: thread, key: key, version: versions)
                        #expect(try store.get([UInt8]("t\(thread)-k\(key)")) == expected, "thread \(thread) key \(key)")
                    }
                }
            }
            try verify(store)
            let statistics = try store.statistics()
            // Group commit: concurrent writers' records shared appends.
            #expect(statistics.appends < statistics.puts + statistics.deletes + statistics.batches)
            try store.close()
            let reopened = try Store.open(path, options: StoreUnderTest.options())
            try verify(reopened)
            #expect(reopened.recovery.incompleteBatches == 0)
        }
    }

    @Test func tasksWriteThroughTheAsyncInterface() async throws {
        let (path, cleanUp) = StoreUnderTest.makeDevicePath()
        defer { cleanUp() }
        let store = try Store.format(path, options: StoreUnderTest.options())
        let tasks = 64
        let writesPerTask = StoreUnderTest.isEmulated ? 30 : 10
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<tasks {
                group.addTask {
                    for index in 0..<writesPerTask {
                        let key = [UInt8]("task\(task)-\(index)")
                        let value = randomBytes(100 + index * 13, seed: UInt64(task * 100 + index + 1))
                        if index % 10 == 9 {
                            var batch = WriteBatch()
                            batch.put(key, value)
                            try await store.write(batch)
                        } else {
                            try await store.put(key, value)
                        }
                        let readBack = try await store.get(key)
                        #expect(readBack == value)
                        if index % 3 == 0 { try await store.delete(key) }
                    }
                }
            }
            try await group.waitForAll()
        }
        try await store.sync()
        let statistics = try store.statistics()
        #expect(statistics.keys == tasks * (writesPerTask - (writesPerTask + 2) / 3))
        try store.close()
        let reopened = try Store.open(path, options: StoreUnderTest.options())
        #expect(reopened.recovery.keys == statistics.keys)
        #expect(try await reopened.get([UInt8]("task5-1")) == randomBytes(113, seed: 502))
        try reopened.close()
    }

    /// Gets served from the cache take no engine lock, so a batch must never be seen half
    /// applied through the cache: once a reader sees a batch's value for one key, it sees that
    /// batch (or a later one) for the other. The cache is big enough to be split into shards.
    @Test func aBatchIsNeverSeenHalfAppliedThroughTheCache() throws {
        let rounds = StoreUnderTest.isEmulated ? 3_000 : 300
        try StoreUnderTest.withStore(options: StoreUnderTest.options(cacheBytes: 64 << 20)) { store, _ in
            let keys = (0..<2).map { [UInt8]("pair-\($0)") }
            @Sendable func version(_ value: [UInt8]?) -> Int { value.flatMap { Int(String(decoding: $0, as: UTF8.self)) } ?? 0 }
            for key in keys { try store.put(key, [UInt8]("0".utf8)) }
            let done = Atomic<Bool>(false)
            let readerRounds = Atomic<Int>(0)
            let failures = TestLock<[String]>([])
            let finished = DispatchSemaphore(value: 0)
            for reader in 1...2 {
                Thread.detachNewThread {
                    defer { finished.signal() }
                    // Readers alternate which key they read first.
                    let (first, second) = reader == 1 ? (keys[0], keys[1]) : (keys[1], keys[0])
                    do {
                        while !done.load(ordering: .acquiring) {
                            let seenFirst = version(try store.get(first))
                            let seenSecond = version(try store.get(second))
                            readerRounds.wrappingAdd(1, ordering: .relaxed)
                            if seenSecond < seenFirst {
                                failures.withLock { $0.append("reader \(reader) saw batch \(seenFirst) and then batch \(seenSecond)") }
                                return
                            }
                        }
                    } catch {
                        failures.withLock { $0.append("reader \(reader): \(error)") }
                    }
                }
            }
            // Writers go on until the readers have read a good deal while batches land.
            var round = 0
            while round < rounds || readerRounds.load(ordering: .relaxed) < rounds {
                round += 1
                var batch = WriteBatch()
                for key in keys { batch.put(key, [UInt8]("\(round)".utf8)) }
                try store.write(batch)
            }
            done.store(true, ordering: .releasing)
            for _ in 1...2 { finished.wait() }
            #expect(failures.withLock { $0 }.isEmpty, "\(failures.withLock { $0 })")
            #expect(try store.statistics().cacheHits > 0, "the readers must have been served from the cache")
        }
    }
}
