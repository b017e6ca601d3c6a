import ArgumentParser
import Foundation
import Synchronization
import YCSB
import ZoneKV

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

    @Option(help: "Seconds between status lines (0: none).")
    var statusSeconds: Double = 10

    @Option(help: "The device: an emulated device file or /dev/ngXnY (default: a new one in /tmp). Its data is overwritten by 'load' and 'both'.")
    var device: String?

    func validate() throws {
        guard threads >= 1, target >= 0, statusSeconds >= 0, (seconds ?? 1) > 0 else {
            throw ValidationError("--threads must be at least 1; --target, --status-seconds and --seconds cannot be negative")
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

        let path = device ?? "/tmp/zonekv-bench-ycsb-\(getpid()).zns"
        defer { if device == nil { unlink(path) } }
        var options = StoreOptions()
        options.checkpointOnClose = true
        let store = phase == .run ? try Store.open(path, options: options) : try Store.format(path, options: options, erasingForeignData: true)
        let engine = ZoneKVEngine(store: store)
        defer { try? engine.close() }
        print("engine \(engine.name) on \(path); \(threads) threads; \(workload.recordCount) records, \(workload.operationCount) operations")
        let driver = YCSBDriver(workload: workload, engine: engine, threads: threads, target: target)
        if phase != .run {
            let (measurements, seconds) = withStatus(driver, total: workload.recordCount) { driver.load() }
            print("== load\n" + measurements.report(runMilliseconds: seconds * 1000, operations: measurements.operations))
        }
        if phase != .load {
            driver.done.store(0, ordering: .relaxed)
            let (measurements, seconds) = withStatus(driver, total: workload.operationCount) { driver.run(seconds: self.seconds) }
            print("== run\n" + measurements.report(runMilliseconds: seconds * 1000, operations: measurements.operations))
        }
    }

    /// Runs `phase` while a thread prints YCSB's status line every --status-seconds.
    private func withStatus<Result>(_ driver: YCSBDriver, total: Int, _ phase: () -> Result) -> Result {
        let started = Date()
        let finished = DispatchSemaphore(value: 0)
        let reporter = Thread { [statusSeconds] in
            guard statusSeconds > 0 else { return }
            var previous = 0
            while finished.wait(timeout: .now() + statusSeconds) == .timedOut {
                let done = driver.done.load(ordering: .relaxed)
                let elapsed = Date().timeIntervalSince(started)
                let current = Double(done - previous) / statusSeconds
                previous = done
                let remaining = current > 0 ? Double(total - done) / current : 0
                let stamp = ISO8601DateFormatter().string(from: Date())
                FileHandle.standardError.write(
                    Data("\(stamp) \(Int(elapsed)) sec: \(done) operations; \(String(format: "%.1f", current)) current ops/sec; est completion in \(Int(remaining)) seconds\n".utf8))
            }
        }
        reporter.start()
        let result = phase()
        finished.signal()
        return result
    }
}
