import ArgumentParser
import Foundation
import YCSB
import ZoneKV

/// `zonekv-bench recovery`: how long an open takes, from a fresh checkpoint, from a checkpoint
/// with writes after it, and from the whole log (the reference, in the same run).
struct RecoveryBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recovery",
        abstract: "Open time from a checkpoint beside a rebuild from the whole log.",
        discussion: """
            Loads --keys keys (in batches), writes a checkpoint, then opens the store --rounds
            times each way, alternating: from the checkpoint, and rebuilding the index from the
            whole log (the reference). Last, it writes --updates more puts, closes without a
            checkpoint (as a crash would leave it) and opens again: only those are replayed.
            The device is formatted: its data is lost.
            """)

    @OptionGroup var measurement: MeasurementOptions

    @Option(help: "Keys to load.")
    var keys: Int = 10_000_000

    @Option(help: "Bytes per value.")
    var valueBytes: Int = 100

    @Option(help: "Puts written after the checkpoint for the last open.")
    var updates: Int = 100_000

    func run() throws {
        guard keys > 0, valueBytes > 0, updates >= 0 else { throw ValidationError("--keys and --value-bytes must be positive") }
        let path = try measurement.devicePath(creatingWith: StoreOptions.defaultEmulatedGeometry, name: "recovery")
        defer { measurement.removeTemporaryDevice(path) }
        var options = StoreOptions()
        options.checkpointAfterBytes = nil
        options.checkpointAfterSeconds = nil
        options.checkpointOnClose = false
        var random = SystemRandomNumberGenerator()
        let value = (0..<valueBytes).map { _ in UInt8.random(in: 0...255, using: &random) }

        let store = try Store.format(path, options: options, erasingForeignData: true)
        let loadStart = ContinuousClock.now
        var batch = WriteBatch()
        for key in 0..<keys {
            batch.put(KeyNames.key(UInt64(key)), value)
            if batch.count == 1000 || key == keys - 1 {
                try store.write(batch)
                batch = WriteBatch()
            }
            if (key + 1) % 1_000_000 == 0 { print("loaded \((key + 1) / 1_000_000)M keys") }
        }
        let loadSeconds = seconds(since: loadStart)
        let checkpoint = try store.checkpoint()!
        let indexBytesPerKey = try store.statistics().indexBytesPerKey
        try store.close()
        print("loaded \(keys) keys in \(format1(loadSeconds)) s; checkpoint: \(checkpoint.pieces) pieces, \(checkpoint.bytes >> 20) MiB, \(format1(checkpoint.seconds)) s")

        var fromCheckpoint: [Double] = []
        var fromLog: [Double] = []
        var logUnits = 0
        for _ in 0..<measurement.rounds {
            let opened = try Store.open(path, options: options)
            precondition(opened.recovery.checkpointID == checkpoint.id && opened.recovery.keys == keys, "the open did not load the checkpoint")
            fromCheckpoint.append(opened.recovery.seconds)
            try opened.close()
            var rebuilding = options
            rebuilding.rebuildIndexFromLog = true
            let rebuilt = try Store.open(path, options: rebuilding)
            precondition(rebuilt.recovery.keys == keys, "the rebuild found \(rebuilt.recovery.keys) keys")
            fromLog.append(rebuilt.recovery.seconds)
            logUnits = rebuilt.recovery.units
            try rebuilt.close()
        }

        let updating = try Store.open(path, options: options)
        for _ in 0..<updates { try updating.put(KeyNames.key(UInt64.random(in: 0..<UInt64(keys), using: &random)), value) }
        try updating.close()
        let afterUpdates = try Store.open(path, options: options)
        let replayedUnits = afterUpdates.recovery.units
        let replaySeconds = afterUpdates.recovery.seconds
        try afterUpdates.close()

        let best = fromCheckpoint.min()!
        let reference = fromLog.min()!
        var table = TablePrinter(header: ["open of \(keys) keys", "seconds (best)", "units read", "vs whole log"])
        table.add(["from a fresh checkpoint", format2(best), "0", formatPercent(best / reference)])
        table.add(["from the checkpoint + \(updates) puts since", format2(replaySeconds), "\(replayedUnits)", formatPercent(replaySeconds / reference)])
        table.add(["whole log (reference, same run)", format2(reference), "\(logUnits)", "100%"])
        print(table.render())
        print("target: under 2 s from a fresh checkpoint; index \(format1(indexBytesPerKey)) bytes per key beyond the key")
    }

    private func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}

private func format2(_ value: Double) -> String { String(format: "%.2f", value) }
