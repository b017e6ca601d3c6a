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
            let failures = Mutex<[String]>([])
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
}
