import Testing
import ZoneKV

@Suite(.serialized) struct StoreBasicsTests {
    @Test func putGetDeleteContains() throws {
        try StoreUnderTest.withStore { store, _ in
            #expect(try store.get([UInt8]("missing")) == nil)
            try store.put([UInt8]("alpha"), [UInt8]("one"))
            try store.put([UInt8]("beta"), [UInt8]("two"))
            #expect(try store.get([UInt8]("alpha")) == [UInt8]("one"))
            #expect(try store.contains([UInt8]("beta")))
            try store.put([UInt8]("alpha"), [UInt8]("uno"))
            #expect(try store.get([UInt8]("alpha")) == [UInt8]("uno"))
            try store.delete([UInt8]("beta"))
            #expect(try store.get([UInt8]("beta")) == nil)
            #expect(try !store.contains([UInt8]("beta")))
            try store.delete([UInt8]("never-there"))
            #expect(try store.statistics().keys == 1)
        }
    }

    @Test func emptyKeyAndEmptyValueAreValues() throws {
        try StoreUnderTest.withStore { store, path in
            try store.put([], [UInt8]("empty key"))
            try store.put([UInt8]("empty value"), [])
            try store.close()
            let reopened = try Store.open(path, options: StoreUnderTest.options())
            #expect(try reopened.get([]) == [UInt8]("empty key"))
            #expect(try reopened.get([UInt8]("empty value")) == [])
        }
    }

    @Test func valuesSurviveReopenAndAreReadFromTheDevice() throws {
        try StoreUnderTest.withStore(options: StoreUnderTest.options(cacheBytes: 0)) { store, path in
            for index in 0..<500 {
                try store.put([UInt8]("key-\(index)"), [UInt8](repeating: UInt8(index % 251), count: 100 + index * 7))
            }
            try store.delete([UInt8]("key-7"))
            try store.close()
            let reopened = try Store.open(path, options: StoreUnderTest.options(cacheBytes: 0))
            #expect(reopened.recovery.keys == 499)
            for index in 0..<500 {
                let value = try reopened.get([UInt8]("key-\(index)"))
                #expect(value == (index == 7 ? nil : [UInt8](repeating: UInt8(index % 251), count: 100 + index * 7)))
            }
            #expect(try reopened.statistics().deviceReads == 499)
        }
    }

    @Test func oversizedKeysAndValuesAreRefusedWithClearErrors() throws {
        try StoreUnderTest.withStore { store, _ in
            let longKey = [UInt8](repeating: 1, count: Store.maxKeyBytes + 1)
            #expect(throws: StoreError.self) { try store.put(longKey, [1]) }
            do throws(StoreError) {
                try store.put(longKey, [1])
            } catch {
                #expect(error.code == .keyTooLarge)
                #expect(error.message.contains("4096"))
            }
            #expect(store.maxValueBytes >= 64 << 20)
        }
    }

    @Test func compressibleValuesAreStoredCompressed() throws {
        try StoreUnderTest.withStore(options: StoreUnderTest.options(cacheBytes: 0)) { store, path in
            let value = [UInt8](String(repeating: "zoned storage ", count: 200).utf8)
            for index in 0..<50 { try store.put([UInt8]("text-\(index)"), value) }
            let statistics = try store.statistics()
            #expect(statistics.compressionRatio > 5)
            try store.close()
            let reopened = try Store.open(path, options: StoreUnderTest.options(cacheBytes: 0))
            #expect(try reopened.get([UInt8]("text-49")) == value)
        }
    }

    @Test func closedStoreRefusesCalls() throws {
        try StoreUnderTest.withStore { store, _ in
            try store.put([UInt8]("k"), [UInt8]("v"))
            try store.close()
            try store.close()
            #expect { try store.get([UInt8]("k")) } throws: { ($0 as? StoreError)?.code == .closed }
            #expect { try store.put([UInt8]("k"), [1]) } throws: { ($0 as? StoreError)?.code == .closed }
        }
    }
}
