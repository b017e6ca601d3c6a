#if !FUZZING
import Foundation
@_spi(Fuzzing) import ZoneKV
import ZoneKVDevice

/// Seed corpora from real encodings: a store on an emulated device is given puts, overwrites,
/// deletes, a batch, compressible and large values and a checkpoint; its zones seed the zone
/// fuzzer and its records the record-level ones. The shell and property fuzzers start from
/// typical lines and the shipped workload files.
enum SeedCorpus {
    static func write(into directory: String) throws -> [(String, Int)] {
        var seeds: [String: [[UInt8]]] = [:]
        for zone in try storeZones() {
            zone.withUnsafeBytes { bytes in
                seeds["zone", default: []] += OnDeviceDecoding.unitSeeds(inZone: bytes, blockSize: 512)
                for (kind, seed) in OnDeviceDecoding.recordSeeds(inZone: bytes, blockSize: 512) { seeds[kind.rawValue, default: []].append(seed) }
            }
        }
        seeds["shell"] = shellLines.map { Array($0.utf8) }
        seeds["properties"] = workloadFiles()
        var counts: [(String, Int)] = []
        for target in FuzzTarget.all {
            let folder = directory + "/" + target.name
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let found = seeds[target.name] ?? []
            for (index, seed) in found.enumerated() {
                try Data(seed).write(to: URL(fileURLWithPath: "\(folder)/seed-\(index)"))
            }
            counts.append((target.name, found.count))
        }
        return counts
    }

    /// The written part of every zone of a small store that saw every kind of record.
    private static func storeZones() throws -> [[UInt8]] {
        let path = NSTemporaryDirectory() + "zonekv-fuzz-seeds-\(getpid()).zns"
        defer { try? FileManager.default.removeItem(atPath: path) }
        var geometry = EmulatedGeometry()
        geometry.blockSize = 512
        geometry.zoneSizeBytes = 1 << 20
        geometry.zoneCapacityBytes = 1 << 20
        geometry.zoneCount = 16
        geometry.maxAppendBytes = 64 << 10
        var options = StoreOptions(cacheBytes: 1 << 20)
        options.emulatedGeometry = geometry
        options.backgroundCollection = false
        let store = try Store.format(path, options: options, erasingForeignData: true)
        for number in 0..<300 {
            let text = Array(String(repeating: "value \(number) ", count: 1 + number % 40).utf8)
            try store.put(Array("key-\(number)".utf8), text)
        }
        for number in stride(from: 0, to: 300, by: 7) { try store.delete(Array("key-\(number)".utf8)) }
        var batch = WriteBatch()
        for number in 0..<20 { batch.put(Array("batch-\(number)".utf8), Array(repeating: UInt8(number), count: 100)) }
        batch.delete(Array("key-1".utf8))
        try store.write(batch)
        try store.put(Array("large".utf8), (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) })
        _ = try store.checkpoint()
        try store.put(Array("after-checkpoint".utf8), Array("x".utf8))
        try store.close()

        let device = try ZonedDevice.open(path)
        let queue = try device.makeQueue(depth: 1)
        var zones: [[UInt8]] = []
        for zone in try queue.reportZones() where zone.writtenBlocks > 0 {
            zones.append(try queue.read(from: zone.start, blockCount: Int(zone.writtenBlocks)))
        }
        return zones
    }

    private static let shellLines = [
        "put user1 hello", "get user1", "put 0x00ff01 b64:aGVsbG8=", "delete \"key with spaces\"", "scan user 10",
        "scan --prefix 'us' --limit 3 > /tmp/out.txt", "batch", "put a 1; put b 2; commit", "stats", "zones", "gc",
        "checkpoint", "get \"quoted \\\" escape\"", "export all.jsonl", "put k 0xZZ", "help put",
    ]

    private static func workloadFiles() -> [[UInt8]] {
        let folder = "Benchmarks/workloads"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.sorted().compactMap { FileManager.default.contents(atPath: folder + "/" + $0).map { [UInt8]($0) } }
    }
}
#endif
