import Testing
import ZoneKV

@Suite(.serialized) struct StoreBatchAndScanTests {
    @Test func batchAppliesEveryChangeAndTheLastChangePerKeyWins() throws {
        try StoreUnderTest.withStore { store, path in
            try store.put([UInt8]("stale"), [UInt8]("old"))
            var batch = WriteBatch()
            batch.put([UInt8]("a"), [UInt8]("1"))
            batch.put([UInt8]("b"), [UInt8]("2"))
            batch.delete([UInt8]("stale"))
            batch.put([UInt8]("a"), [UInt8]("3"))
            try store.write(batch)
            #expect(try store.get([UInt8]("a")) == [UInt8]("3"))
            #expect(try store.get([UInt8]("b")) == [UInt8]("2"))
            #expect(try store.get([UInt8]("stale")) == nil)
            try store.close()
            let reopened = try Store.open(path, options: StoreUnderTest.options())
            #expect(try reopened.get([UInt8]("a")) == [UInt8]("3"))
            #expect(try reopened.get([UInt8]("stale")) == nil)
            #expect(reopened.recovery.incompleteBatches == 0)
        }
    }

    @Test func batchLargerThanOneAppendStaysAtomicAcrossReopen() throws {
        try StoreUnderTest.withStore { store, path in
            var batch = WriteBatch()
            for index in 0..<400 { batch.put([UInt8]("big-\(index)"), randomBytes(1500, seed: UInt64(index))) }
            try store.write(batch)
            #expect(try store.statistics().appends > 3)
            try store.close()
            let reopened = try Store.open(path, options: StoreUnderTest.options())
            #expect(try reopened.scan(prefix: [UInt8]("big-")).count == 400)
        }
    }

    @Test func aBatchWhoseAppendFailsLeavesNoTraceEvenAfterReopen() throws {
        guard StoreUnderTest.isEmulated else { return }
        try StoreUnderTest.withStore { store, path in
            try store.put([UInt8]("before"), [UInt8]("kept"))
            var batch = WriteBatch()
            for index in 0..<400 { batch.put([UInt8]("doomed-\(index)"), randomBytes(1500, seed: UInt64(index))) }
            // The batch needs several appends; its second one fails on the device.
            store.emulator!.failCommand(.append, occurrence: 2, with: .writeFault)
            #expect { try store.write(batch) } throws: { ($0 as? StoreError)?.code == .device }
            #expect(try store.scan(prefix: [UInt8]("doomed-")).isEmpty)
            try store.put([UInt8]("after"), [UInt8]("kept too"))
            try store.close()
            // From the checkpoint written at close, and from the log alone.
            for fromLog in [false, true] {
                var options = StoreUnderTest.options()
                options.rebuildIndexFromLog = fromLog
                options.checkpointOnClose = false
                let reopened = try Store.open(path, options: options)
                #expect(reopened.recovery.incompleteBatches == (fromLog ? 1 : 0))
                #expect((reopened.recovery.checkpointID == nil) == fromLog)
                #expect(try reopened.scan(prefix: [UInt8]("doomed-")).isEmpty)
                #expect(try reopened.get([UInt8]("before")) == [UInt8]("kept"))
                #expect(try reopened.get([UInt8]("after")) == [UInt8]("kept too"))
                try reopened.close()
            }
        }
    }

    @Test func scansAreOrderedBoundedAndLimited() throws {
        try StoreUnderTest.withStore(options: StoreUnderTest.options(cacheBytes: 0)) { store, _ in
            let keys = (0..<300).map { [UInt8]("k\(String(format3($0)))") }
            for key in keys.shuffled() { try store.put(key, key + [UInt8]("!")) }
            let all = try store.scan()
            #expect(all.map(\.key) == keys)
            #expect(all.allSatisfy { $0.value == $0.key + [UInt8]("!") })
            let middle = try store.scan(from: [UInt8]("k100"), to: [UInt8]("k200"))
            #expect(middle.map(\.key) == Array(keys[100..<200]))
            let limited = try store.scan(from: [UInt8]("k250"), limit: 7)
            #expect(limited.map(\.key) == Array(keys[250..<257]))
            #expect(try store.scan(prefix: [UInt8]("k29")).map(\.key) == Array(keys[290..<300]))
            #expect(try store.scan(prefix: [UInt8]("x")).isEmpty)
            #expect(try store.scan(limit: 0).isEmpty)
            #expect { try store.scan(limit: -1) } throws: { ($0 as? StoreError)?.code == .invalidOption }
        }
    }

    @Test func prefixScanHandlesPrefixesEndingInFF() throws {
        try StoreUnderTest.withStore { store, _ in
            try store.put([0x01, 0xFF], [1])
            try store.put([0x01, 0xFF, 0x00], [2])
            try store.put([0x02], [3])
            try store.put([0xFF, 0xFF], [4])
            #expect(try store.scan(prefix: [0x01, 0xFF]).map(\.value) == [[1], [2]])
            #expect(try store.scan(prefix: [0xFF]).map(\.value) == [[4]])
        }
    }

    @Test func largeValuesRoundTripThroughChunksAndReopen() throws {
        var geometry = StoreUnderTest.geometry
        geometry.zoneCount = 48
        try StoreUnderTest.withStore(options: StoreUnderTest.options(cacheBytes: 0, geometry: geometry)) { store, path in
            let size = StoreUnderTest.isEmulated ? 64 << 20 : 16 << 20
            let large = randomBytes(size, seed: 42)
            let medium = [UInt8](repeating: 7, count: 300_000)
            try store.put([UInt8]("large"), large)
            try store.put([UInt8]("medium"), medium)
            #expect(try store.get([UInt8]("large")) == large)
            try store.close()
            let reopened = try Store.open(path, options: StoreUnderTest.options(cacheBytes: 0, geometry: geometry))
            #expect(try reopened.get([UInt8]("medium")) == medium)
            #expect(try reopened.get([UInt8]("large")) == large)
            #expect(try reopened.scan(prefix: [UInt8]("medium")).first?.value == medium)
            #expect { try reopened.put([UInt8]("too big"), [UInt8](repeating: 0, count: reopened.maxValueBytes + 1)) } throws: {
                ($0 as? StoreError)?.code == .valueTooLarge
            }
        }
    }
}

private func format3(_ number: Int) -> String {
    let text = String(number)
    return String(repeating: "0", count: max(0, 3 - text.count)) + text
}
