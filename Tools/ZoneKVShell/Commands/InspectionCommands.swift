import Foundation
import ZoneKV

/// Looking at the store: statistics, the zone map, the device and settings.
enum InspectionCommands {
    static let all = [stats, zones, info]

    static let stats = ShellCommand(
        "stats", summary: "operations, throughput, write and space amplification, index memory, cache hit rate, compression"
    ) { invocation in
        let statistics = try invocation.store.statistics()
        let seconds = max(Date().timeIntervalSince(invocation.session.openedAt), 1e-9)
        let operations = statistics.puts + statistics.deletes + statistics.gets + statistics.scans
        let lookups = statistics.cacheHits + statistics.cacheMisses
        let rows: [(String, String)] = [
            ("keys", "\(statistics.keys)"),
            ("operations", "\(operations) (\(statistics.puts) puts, \(statistics.deletes) deletes, \(statistics.gets) gets, \(statistics.scans) scans, \(statistics.batches) batches)"),
            ("throughput", String(format: "%.1f operations/s since the shell opened the store", Double(operations) / seconds)),
            ("write amplification", String(format: "%.2f", statistics.writeAmplification)),
            ("space amplification", String(format: "%.2f", statistics.spaceAmplification)),
            ("live bytes", Formatting.bytes(statistics.liveBytes)),
            ("index memory", "\(Formatting.bytes(statistics.indexBytes)) (\(String(format: "%.1f", statistics.indexBytesPerKey)) bytes per key beyond the key)"),
            ("cache", "\(Formatting.bytes(statistics.cacheBytes)) of \(Formatting.bytes(statistics.cacheBudget)), hit rate \(lookups == 0 ? "-" : String(format: "%.1f%%", 100 * Double(statistics.cacheHits) / Double(lookups)))"),
            ("compression ratio", String(format: "%.2f", statistics.compressionRatio)),
            ("zones", "\(statistics.zones): \(statistics.freeZones) free, \(statistics.openZones) open, \(statistics.sealedZones) sealed, \(statistics.unusableZones) unusable"),
            ("garbage collection", "\(statistics.collections) zones collected, \(Formatting.bytes(statistics.relocatedBytes)) relocated, \(statistics.zoneResets) resets"),
            ("checkpoints", "\(statistics.checkpoints) written (\(Formatting.bytes(statistics.checkpointBytes))), newest \(statistics.checkpointAge.map { String(format: "%.0f s old", $0) } ?? "none")"),
            ("last open", String(format: "%.3f s, %d units replayed", invocation.store.recovery.seconds, invocation.store.recovery.units)),
        ]
        for (name, value) in rows { invocation.output.line("\(Formatting.padded(name, 20)) \(value)") }
    }

    static let zones = ShellCommand(
        "zones", summary: "draw the zone map: each zone's use, live data and garbage",
        details: "█ live data, ░ garbage (reclaimable by gc), space: not written yet."
    ) { invocation in
        let zones = try invocation.store.zones()
        invocation.output.line(ZoneMap(zones: zones, colors: invocation.output.isTerminal).render())
    }

    static let info = ShellCommand("info", summary: "the device's geometry and the store's settings") { invocation in
        let store = invocation.store
        let geometry = store.geometry
        let options = store.options
        let rows: [(String, String)] = [
            ("device", "\(store.path) (\(store.backend))"),
            ("zones", "\(geometry.zoneCount) of \(Formatting.bytes(Int(geometry.zoneSize) * geometry.blockSize)), \(Formatting.bytes(Int(geometry.zoneCapacity) * geometry.blockSize)) writable each"),
            ("block size", "\(geometry.blockSize) bytes"),
            ("open / active zones", "\(geometry.maxOpenZones.map(String.init) ?? "no limit") / \(geometry.maxActiveZones.map(String.init) ?? "no limit")"),
            ("append limit", Formatting.bytes(geometry.maxAppendBytes)),
            ("largest value", Formatting.bytes(store.maxValueBytes)),
            ("cache", Formatting.bytes(options.cacheBytes)),
            ("compression", options.compression == .none ? "off" : "LZ4"),
            ("background collection", options.backgroundCollection ? "on" : "off"),
            ("checkpoints", "every \(options.checkpointAfterBytes.map(Formatting.bytes) ?? "-") written or \(options.checkpointAfterSeconds.map { String(format: "%.0f s", $0) } ?? "-"), and at close: \(options.checkpointOnClose ? "yes" : "no")"),
        ]
        for (name, value) in rows { invocation.output.line("\(Formatting.padded(name, 22)) \(value)") }
    }
}
