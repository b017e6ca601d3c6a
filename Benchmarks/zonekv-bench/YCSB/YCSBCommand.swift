import ArgumentParser
import Foundation
import PeerEngines
import Synchronization
import YCSB
import ZoneKV

#if canImport(Glibc)
import Glibc
#endif

/// `zonekv-bench ycsb`: YCSB's CoreWorkload (load and run phases) against ZoneKV, reported in
/// the form of YCSB's text exporter.
struct YCSBCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ycsb",
        abstract: "YCSB core workloads: load, run, and a report in YCSB's format.",
        discussion: """
            Reads workload properties as YCSB does (-P FILE, then -p NAME=VALUE overrides; the six \\
            core workloads are in Benchmarks/workloads). 'load' inserts recordcount records, 'run' \\
            performs operationcount operations of the workload's mix, 'both' (the default) does \\
            one then the other. Without --device, a new emulated device in /tmp is used and \\
            removed afterwards.
            """)

    enum Phase: String, ExpressibleByArgument, CaseIterable { case load, run, both }

    @Argument(help: "load, run or both.")
    var phase: Phase = .both

    @Option(name: .customShort("P"), help: "A workload property file (several may be given).")
    var propertyFiles: [String] = []

    @Option(name: .customShort("p"), help: "A property, NAME=VALUE (overrides the files).")
    var properties: [String] = []

    @Option(help: "Client threads.")
    var threads: Int = 1

    @Option(help: "Operations per second for all threads together (0: no limit).")
    var target: Double = 0

    @Option(help: "Stop the run phase after this many seconds, even before operationcount.")
    var seconds: Double?

    @Option(help: "Seconds of run-phase operations before measuring (not counted).")
    var warmUp: Double = 0

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Option(help: "text (YCSB's exporter) or json (one document at the end, on standard output).")
    var format: OutputFormat = .text

    @Option(help: "Draw the run's throughput over time and its latency percentiles per operation into this SVG file.")
    var plot: String?

    @Option(help: "Seconds between status lines (0: none).")
    var statusSeconds: Double = 10

    @Option(help: "The device: an emulated device file or /dev/ngXnY (default: a new one in /tmp). Its data is overwritten by 'load' and 'both'.")
    var device: String?

    enum EngineChoice: String, ExpressibleByArgument, CaseIterable { case zonekv, rocksdb, lmdb, all }

    @Option(help: "The engine: zonekv, rocksdb, lmdb, or all of them back to back with a table side by side.")
    var engine: EngineChoice = .zonekv

    @Option(name: .customLong("cache-mib"), help: "Cache memory for every engine (ZoneKV's value cache, RocksDB's block cache), MiB.")
    var cacheMiB: Int = 128

    // 512 by default: a lone writer's 1 KB record then takes 1.5 KiB rather than a 4 KiB block,
    // and ZNS drives offer both formats.
    @Option(help: "Block (LBA) size of ZoneKV's scratch emulated device, 512 or 4096 bytes (with --device, the device's own).")
    var blockSize: Int = 512

    @Flag(help: "Measure the device baseline on a device given with --device too (it overwrites its zones; always done on the scratch device).")
    var baseline = false

    @Option(help: "Seconds for each device baseline measurement (0: no baseline).")
    var baselineSeconds: Double = 2

    func validate() throws {
        guard threads >= 1, target >= 0, statusSeconds >= 0, (seconds ?? 1) > 0, cacheMiB >= 0, baselineSeconds >= 0, warmUp >= 0 else {
            throw ValidationError("--threads must be at least 1; --target, --status-seconds, --seconds and --cache-mib cannot be negative")
        }
        guard blockSize == 512 || blockSize == 4096 else {
            throw ValidationError("--block-size takes 512 or 4096 (bytes per block), not \(blockSize)")
        }
        guard engine == .zonekv || phase == .both else {
            throw ValidationError("rocksdb and lmdb run in a fresh directory: use the phase 'both' with them")
        }
    }

    func run() throws {
        var settings = WorkloadProperties()
        do throws(WorkloadProperties.Failure) {
            for file in propertyFiles {
                guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                    throw WorkloadProperties.Failure("cannot read the workload file \(file)")
                }
                try settings.read(text, source: file)
            }
            for assignment in properties { try settings.set(assignment) }
        } catch {
            throw ValidationError(error.description)
        }
        let workload: CoreWorkload
        do throws(WorkloadProperties.Failure) { workload = try CoreWorkload(settings) } catch { throw ValidationError(error.description) }
        let engines: [EngineChoice] = engine == .all ? [.zonekv, .rocksdb, .lmdb] : [engine]
        say(
            "equal footing: \(workload.recordCount) records of \(workload.fieldCount) x \(workload.fieldLength) bytes, \(workload.operationCount) operations, \(threads) threads, no sync per operation, \(cacheMiB) MiB of cache each (LMDB has none of its own: it reads through the page cache)\(device == nil && engine != .rocksdb && engine != .lmdb ? "; ZoneKV's scratch device has \(blockSize)-byte blocks" : "")"
        )
        let plotFile = try plot.map(PlotFile.init)
        var results: [(String, EngineResult)] = []
        for choice in engines { results.append((choice.rawValue, try measure(choice, workload: workload))) }
        if format == .json {
            var document: [String: Any] = ["threads": threads, "recordCount": workload.recordCount, "operationCount": workload.operationCount]
            for (name, result) in results {
                var phases: [String: Any] = [:]
                if let (measured, seconds) = result.load { phases["load"] = measured.jsonObject(runMilliseconds: seconds * 1000, operations: measured.operations) }
                if let (measured, seconds) = result.run { phases["run"] = measured.jsonObject(runMilliseconds: seconds * 1000, operations: measured.operations) }
                document[name] = phases
            }
            let data = try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else if results.count > 1 {
            print(EngineResult.sideBySide(results))
        }
        if let plotFile {
            try plotFile.write(YCSBPlot(results: results, sampleSeconds: 0.25).render())
            say("plot written to \(plotFile.path)")
        }
    }

    /// One engine's load and run, printed in YCSB's format.
    private func measure(_ choice: EngineChoice, workload: CoreWorkload) throws -> EngineResult {
        let scratch = "/tmp/zonekv-bench-ycsb-\(getpid())-\(choice.rawValue)"
        let engine: any KeyValueEngine
        switch choice {
        case .zonekv, .all:
            var options = StoreOptions()
            options.cacheBytes = cacheMiB << 20
            options.emulatedGeometry.blockSize = blockSize
            let path = device ?? scratch + ".zns"
            let store = phase == .run ? try Store.open(path, options: options) : try Store.format(path, options: options, erasingForeignData: true)
            engine = ZoneKVEngine(store: store)
        case .rocksdb:
            engine = RocksDBEngine(store: try RocksDBStore(directory: scratch, cacheBytes: cacheMiB << 20))
        case .lmdb:
            let mapBytes = max(1 << 30, workload.keySpace.multipliedReportingOverflow(by: UInt64(4 * (workload.fieldCount * workload.fieldLength + 64))).partialValue)
            engine = LMDBEngine(store: try LMDBStore(path: scratch + ".mdb", mapBytes: Int(min(mapBytes, 1 << 40))))
        }
        var closed = false
        defer {
            if !closed { try? engine.close() }
            // Give freed memory back, so the next engine's peak memory starts from this one's end.
            ResidentMemory.returnFreedMemory()
            if !(choice == .zonekv && device != nil) {
                for suffix in ["", ".zns", ".mdb", ".mdb-lock"] { try? FileManager.default.removeItem(atPath: scratch + suffix) }
            }
        }
        say("== engine \(engine.name)")
        let driver = YCSBDriver(workload: workload, engine: engine, threads: threads, target: target)
        var result = EngineResult()
        if phase != .run {
            let ((measurements, seconds), _, peak) = withStatus(driver, total: workload.recordCount) { driver.load() }
            say("== load\n" + measurements.report(runMilliseconds: seconds * 1000, operations: measurements.operations))
            result.load = (measurements, seconds)
            result.peakMemoryBytes = peak
        }
        if phase != .load {
            driver.done.store(0, ordering: .relaxed)
            let ((measurements, seconds), timeline, peak) = withStatus(driver, total: workload.operationCount) {
                driver.run(seconds: self.seconds, warmUp: warmUp)
            }
            result.runTimeline = timeline
            result.peakMemoryBytes = max(result.peakMemoryBytes ?? 0, peak)
            say("peak resident memory (anonymous, sampled 4 times a second): \(format1(Double(result.peakMemoryBytes!) / 1_048_576)) MiB")
            say("== run\n" + measurements.report(runMilliseconds: seconds * 1000, operations: measurements.operations))
            result.run = (measurements, seconds)
        }
        if choice == .zonekv && (device == nil || baseline) && baselineSeconds > 0 {
            try engine.close()
            closed = true
            let recordBytes = workload.fieldCount * workload.fieldLength
            let measured = try DeviceBaseline.measure(
                path: device ?? scratch + ".zns", queueDepth: threads, recordBytes: recordBytes, seconds: baselineSeconds)
            say(measured.report(load: result, recordBytes: recordBytes))
        }
        return result
    }

    /// Text output; with --format json it goes to standard error, so standard output is the document alone.
    private func say(_ text: String) {
        if format == .json { FileHandle.standardError.write(Data((text + "\n").utf8)) } else { print(text) }
    }

    /// Runs `phase` while a thread samples progress four times a second (the throughput
    /// timeline a plot draws) and prints YCSB's status line every --status-seconds, or, on a
    /// terminal, a progress bar.
    private func withStatus<Result>(_ driver: YCSBDriver, total: Int, _ phase: () -> Result) -> (Result, timeline: [Double], peakMemory: Int) {
        let started = Date()
        let finished = DispatchSemaphore(value: 0)
        let timeline = Mutex<[Double]>([])
        let peakMemory = Mutex<Int>(ResidentMemory.anonymousBytes ?? 0)
        let sampleSeconds = 0.25
        let terminal = isatty(2) == 1 && statusSeconds > 0
        let reporter = Thread { [statusSeconds] in
            var previous = 0
            var sinceStatus = 0.0
            var atStatus = 0
            var sampledAt = Date()
            while true {
                // The last sample covers the rest of the phase, however short.
                let ended = finished.wait(timeout: .now() + sampleSeconds) == .success
                let done = driver.done.load(ordering: .relaxed)
                let now = Date()
                let interval = max(now.timeIntervalSince(sampledAt), 1e-6)
                timeline.withLock { $0.append(Double(done - previous) / interval) }
                if let bytes = ResidentMemory.anonymousBytes { peakMemory.withLock { $0 = max($0, bytes) } }
                previous = done
                sampledAt = now
                if ended {
                    if terminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
                    break
                }
                sinceStatus += interval
                let elapsed = Date().timeIntervalSince(started)
                if terminal {
                    // On a terminal, a progress bar redrawn in place at every sample.
                    let share = min(1, Double(done) / Double(max(total, 1)))
                    let filled = Int(share * 30)
                    let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: 30 - filled)
                    let rate = Double(done) / max(elapsed, 1e-9)
                    let remaining = rate > 0 ? Double(total - done) / rate : 0
                    FileHandle.standardError.write(
                        Data("\r\u{1B}[K[\(bar)] \(Int(share * 100))% \(done) operations, \(formatRate(rate)) ops/s, \(Int(remaining)) s left".utf8))
                    continue
                }
                guard statusSeconds > 0, sinceStatus >= statusSeconds else { continue }
                let current = Double(done - atStatus) / sinceStatus
                atStatus = done
                sinceStatus = 0
                let remaining = current > 0 ? Double(total - done) / current : 0
                let stamp = ISO8601DateFormatter().string(from: Date())
                FileHandle.standardError.write(
                    Data("\(stamp) \(Int(elapsed)) sec: \(done) operations; \(String(format: "%.1f", current)) current ops/sec; est completion in \(Int(remaining)) seconds\n".utf8))
            }
        }
        reporter.start()
        let result = phase()
        finished.signal()
        while !reporter.isFinished { usleep(1000) }
        return (result, timeline.withLock { $0 }, peakMemory.withLock { $0 })
    }
}
