import Dispatch
import YCSB
import ZoneKV

/// The store workloads of `zonekv-bench store`: YCSB-style keys, random values.
struct StoreWorkloads {
    let records: Int
    let valueBytes: Int
    /// Every record's key, made up front so that timed loops do not format strings.
    private let keys: [[UInt8]]

    init(records: Int, valueBytes: Int) {
        self.records = records
        self.valueBytes = valueBytes
        keys = (0..<records).map { KeyNames.key(UInt64($0)) }
    }

    /// A value for record `number` (random bytes, so compression does not flatter it).
    private func value(_ number: Int) -> [UInt8] {
        var random = FastRandom(seed: UInt64(number) &+ 1)
        var bytes = [UInt8](repeating: 0, count: valueBytes)
        var index = 0
        while index < valueBytes {
            var word = random.next()
            for _ in 0..<min(8, valueBytes - index) {
                bytes[index] = UInt8(truncatingIfNeeded: word)
                word >>= 8
                index += 1
            }
        }
        return bytes
    }

    /// Puts every record, split over `threads` threads, one by one or in write batches.
    func load(_ store: Store, threads: Int, batch: Int) throws -> LatencyRecorder {
        let values = (0..<min(records, 1024)).map { value($0) }
        let recorders = Locked<[LatencyRecorder]>([])
        let failure = Locked<Error?>(nil)
        let share = (records + threads - 1) / threads
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            var recorder = LatencyRecorder()
            let range = (thread * share)..<min(records, (thread + 1) * share)
            do {
                if batch == 1 {
                    try recorder.measure(count: range.count) { index in
                        let number = range.lowerBound + index
                        try store.put(keys[number], values[number % values.count])
                    }
                } else {
                    try recorder.measure(count: (range.count + batch - 1) / batch) { index in
                        var writes = WriteBatch()
                        for number in (range.lowerBound + index * batch)..<min(range.upperBound, range.lowerBound + (index + 1) * batch) {
                            writes.put(keys[number], values[number % values.count])
                        }
                        try store.write(writes)
                    }
                }
            } catch {
                failure.withLock { $0 = error }
            }
            recorders.withLock { $0.append(recorder) }
        }
        if let error = failure.withLock({ $0 }) { throw error }
        var total = LatencyRecorder()
        for recorder in recorders.withLock({ $0 }) { total.merge(recorder, concurrently: true) }
        return total
    }

    func uniformGets(_ store: Store, seconds: Double, seed: UInt64) throws -> LatencyRecorder {
        var random = FastRandom(seed: seed)
        return try gets(store, seconds: seconds) { keys[Int(random.next(below: UInt64(records)))] }
    }

    func zipfianGets(_ store: Store, seconds: Double, seed: UInt64) throws -> LatencyRecorder {
        var zipfian = ScrambledZipfianGenerator(itemCount: UInt64(records), seed: seed)
        return try gets(store, seconds: seconds) { keys[Int(zipfian.next())] }
    }

    /// Gets of one key, which the cache holds after the first.
    func hotKeyGets(_ store: Store, seconds: Double) throws -> LatencyRecorder {
        let key = keys[0]
        _ = try store.get(key)
        var recorder = LatencyRecorder()
        try recorder.measure(seconds: seconds) { _ in
            guard try store.get(key) != nil else { throw BenchError("record 0 is missing") }
        }
        return recorder
    }

    /// Scans of `length` keys from random keys.
    func scans(_ store: Store, length: Int, seconds: Double) throws -> LatencyRecorder {
        var random = FastRandom(seed: 99)
        var recorder = LatencyRecorder()
        try recorder.measure(seconds: seconds) { _ in
            _ = try store.scan(from: keys[Int(random.next(below: UInt64(records)))], limit: length)
        }
        return recorder
    }

    private func gets(_ store: Store, seconds: Double, nextKey: () -> [UInt8]) throws -> LatencyRecorder {
        var recorder = LatencyRecorder()
        try recorder.measure(seconds: seconds) { _ in
            let key = nextKey()
            guard try store.get(key) != nil else { throw BenchError("a loaded record is missing") }
        }
        return recorder
    }
}
