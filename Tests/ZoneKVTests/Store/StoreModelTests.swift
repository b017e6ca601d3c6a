import Testing
import ZoneKV

/// Random sequences of operations run against the store and against a plain dictionary; every
/// read, scan, garbage collection and reopen must agree. The emulated device is small, so
/// zones fill, writes find it full and collect, and collected zones are written again. Each
/// seed is a reproducible case: a failure names it.
@Suite(.serialized) struct StoreModelTests {
    /// What the store should hold.
    private struct Model {
        var values: [[UInt8]: [UInt8]] = [:]

        func scan(from start: [UInt8]?, to end: [UInt8]?, limit: Int?) -> [KeyValuePair] {
            let keys = values.keys.filter { key in
                (start.map { !key.lexicographicallyPrecedes($0) } ?? true) && (end.map { key.lexicographicallyPrecedes($0) } ?? true)
            }.sorted { $0.lexicographicallyPrecedes($1) }
            return keys.prefix(limit ?? keys.count).map { KeyValuePair(key: $0, value: values[$0]!) }
        }
    }

    private struct Generator {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return Int(state % UInt64(bound))
        }

        /// Keys from a small space, so that overwrites, deletes of live keys and scans over
        /// neighbours are common; some share prefixes, one is empty.
        mutating func key() -> [UInt8] {
            let number = next(120)
            if number == 0 { return [] }
            return [UInt8]("\(["user", "item", "u"][number % 3]):\(number)")
        }

        /// Mostly small values; some compressible; a few larger than one append unit.
        mutating func value() -> [UInt8] {
            switch next(40) {
            case 0: return randomBytes(150_000 + next(200_000), seed: UInt64(next(1 << 30)) + 1)
            case 1...8: return [UInt8](repeating: UInt8(next(256)), count: next(3000))
            case 9: return []
            default: return randomBytes(1 + next(1200), seed: UInt64(next(1 << 30)) + 1)
            }
        }
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6] as [UInt64])
    func storeMatchesDictionary(seed: UInt64) throws {
        let operations = StoreUnderTest.isEmulated ? 1500 : 500
        var geometry = StoreUnderTest.geometry
        geometry.zoneSizeBytes = 3 << 19
        geometry.zoneCapacityBytes = 1 << 20
        geometry.zoneCount = 16
        var options = StoreUnderTest.options(cacheBytes: seed % 2 == 0 ? 0 : 256 << 10, geometry: geometry)
        options.backgroundCollection = seed % 3 == 0
        try StoreUnderTest.withStore(options: options) { first, path in
            var store = first
            var model = Model()
            var collections = 0
            var random = Generator(state: seed &* 0x9E37_79B9_7F4A_7C15 | 1)
            for step in 0..<operations {
                let context = Comment(rawValue: "seed \(seed), step \(step)")
                switch random.next(100) {
                case 0..<40:
                    let key = random.key()
                    let value = random.value()
                    try store.put(key, value)
                    model.values[key] = value
                case 40..<50:
                    let key = random.key()
                    try store.delete(key)
                    model.values[key] = nil
                case 50..<58:
                    var batch = WriteBatch()
                    for _ in 0..<(1 + random.next(30)) {
                        let key = random.key()
                        if random.next(4) == 0 {
                            batch.delete(key)
                            model.values[key] = nil
                        } else {
                            let value = random.value()
                            batch.put(key, value)
                            model.values[key] = value
                        }
                    }
                    try store.write(batch)
                case 58..<80:
                    let key = random.key()
                    #expect(try store.get(key) == model.values[key], context)
                    #expect(try store.contains(key) == (model.values[key] != nil), context)
                case 80..<88:
                    let start = random.next(3) == 0 ? nil : random.key()
                    let end = random.next(3) == 0 ? nil : random.key()
                    let limit = random.next(2) == 0 ? nil : random.next(20)
                    #expect(try store.scan(from: start, to: end, limit: limit) == model.scan(from: start, to: end, limit: limit), context)
                case 88..<92:
                    let prefix = [UInt8](["user", "item:1", "u:", "x"][random.next(4)].utf8)
                    let expected = model.scan(from: prefix, to: nil, limit: nil).filter { $0.key.starts(with: prefix) }
                    #expect(try store.scan(prefix: prefix) == expected, context)
                case 92..<94:
                    try store.sync()
                case 94..<96:
                    if try store.collectGarbage() != nil { collections += 1 }
                    #expect(try store.scan() == model.scan(from: nil, to: nil, limit: nil), context)
                default:
                    try store.close()
                    store = try Store.open(path, options: options)
                    #expect(store.recovery.keys == model.values.count, context)
                    #expect(try store.scan() == model.scan(from: nil, to: nil, limit: nil), context)
                }
            }
            try store.close()
            store = try Store.open(path, options: options)
            #expect(try store.scan() == model.scan(from: nil, to: nil, limit: nil), "seed \(seed), final reopen")
            try store.close()
            if StoreUnderTest.isEmulated { #expect(collections > 0, "seed \(seed): no zone was ever collected") }
        }
    }
}
