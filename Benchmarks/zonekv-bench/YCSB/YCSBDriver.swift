import Foundation
import Synchronization
import YCSB

/// Runs a YCSB CoreWorkload against an engine: the load phase (insert every record) and the
/// run phase (the workload's operation mix), on several threads, with an optional throughput
/// target, reporting progress as it goes.
final class YCSBDriver: @unchecked Sendable {
    let workload: CoreWorkload
    let engine: any KeyValueEngine
    let threads: Int
    /// Operations per second for all threads together (0: as fast as possible).
    let target: Double
    let records: YCSBRecords
    /// Operations done so far, for the status line.
    let done = Atomic<Int>(0)
    private let inserts: InsertSequence

    init(workload: CoreWorkload, engine: any KeyValueEngine, threads: Int, target: Double) {
        self.workload = workload
        self.engine = engine
        self.threads = threads
        self.target = target
        records = YCSBRecords(fieldCount: workload.fieldCount, fieldLength: workload.fieldLength)
        inserts = InsertSequence(start: UInt64(workload.recordCount))
    }

    /// Inserts records 0..<recordCount, split between the threads.
    func load() -> (YCSBMeasurements, seconds: Double) {
        let count = workload.recordCount
        return onThreads { thread, measurements in
            var random = FastRandom(seed: UInt64(thread) &+ 1)
            var throttle = Throttle(operationsPerSecond: self.target / Double(self.threads))
            for number in stride(from: thread, to: count, by: self.threads) {
                throttle.wait()
                let key = self.key(UInt64(number))
                let value = self.records.record(using: &random)
                self.time("INSERT", into: &measurements) { try self.engine.put(key, value); return "OK" }
            }
        }
    }

    /// Runs `operationCount` operations (or until `seconds` pass), split between the threads,
    /// after `warmUp` seconds of the same operations that are not counted.
    func run(seconds: Double?, warmUp: Double = 0) -> (YCSBMeasurements, seconds: Double) {
        if warmUp > 0 {
            let end = Date().addingTimeInterval(warmUp)
            _ = onThreads { thread, _ in
                var client = Client(driver: self, seed: UInt64(thread) &* 104_729 &+ 3)
                var ignored = YCSBMeasurements()
                while Date() < end { for _ in 0..<64 { client.doOperation(into: &ignored) } }
            }
            done.store(0, ordering: .relaxed)
        }
        let deadline = seconds.map { Date().addingTimeInterval($0) }
        return onThreads { thread, measurements in
            var client = Client(driver: self, seed: UInt64(thread) &* 7919 &+ 17)
            var throttle = Throttle(operationsPerSecond: self.target / Double(self.threads))
            let share = self.workload.operationCount / self.threads + (thread < self.workload.operationCount % self.threads ? 1 : 0)
            for index in 0..<share {
                if let deadline, index & 63 == 0, Date() >= deadline { break }
                throttle.wait()
                client.doOperation(into: &measurements)
            }
        }
    }

    /// Runs `body` on each thread with its own measurements, then merges them.
    private func onThreads(_ body: @escaping @Sendable (Int, inout YCSBMeasurements) -> Void) -> (YCSBMeasurements, seconds: Double) {
        let results = Mutex<[YCSBMeasurements]>([])
        let group = DispatchGroup()
        let start = Date()
        for thread in 0..<threads {
            group.enter()
            Thread.detachNewThread {
                var measurements = YCSBMeasurements()
                body(thread, &measurements)
                results.withLock { $0.append(measurements) }
                group.leave()
            }
        }
        group.wait()
        let seconds = Date().timeIntervalSince(start)
        var merged = YCSBMeasurements()
        for measurements in results.withLock({ $0 }) { merged.merge(measurements) }
        return (merged, seconds)
    }

    func key(_ number: UInt64) -> [UInt8] {
        KeyNames.key(number, hashed: workload.hashedInsertOrder, zeroPadding: workload.zeroPadding)
    }

    /// Times `operation`, which returns its status, and records it under `name`.
    func time(_ name: String, into measurements: inout YCSBMeasurements, _ operation: () throws -> String) {
        let start = ContinuousClock.now
        let status = (try? operation()) ?? "ERROR"
        let elapsed = ContinuousClock.now - start
        let microseconds = UInt64(max(0, elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000))
        measurements.record(name, microseconds: microseconds, status: status)
        done.add(1, ordering: .relaxed)
    }

    /// Record numbers for inserts, and how many of them are acknowledged without a gap (reads
    /// only ask for those, as YCSB's acknowledged counter does).
    final class InsertSequence: @unchecked Sendable {
        private struct State {
            var next: UInt64
            var acknowledged: UInt64
            var early: Set<UInt64> = []
        }
        private let state: Mutex<State>

        init(start: UInt64) { state = Mutex(State(next: start, acknowledged: start)) }

        func take() -> UInt64 { state.withLock { state in defer { state.next += 1 }; return state.next } }

        func acknowledge(_ number: UInt64) {
            state.withLock { state in
                state.early.insert(number)
                while state.early.remove(state.acknowledged) != nil { state.acknowledged += 1 }
            }
        }

        /// Records 0..<count are all there.
        var count: UInt64 { state.withLock { $0.acknowledged } }
    }

    var insertSequence: InsertSequence { inserts }
}

/// Paces one thread to a rate, as YCSB's `-target` does (scheduled start times, no catching up
/// beyond them).
struct Throttle {
    private let interval: Double
    private var next = Date()

    init(operationsPerSecond: Double) { interval = operationsPerSecond > 0 ? 1 / operationsPerSecond : 0 }

    mutating func wait() {
        guard interval > 0 else { return }
        let now = Date()
        if next > now { Thread.sleep(until: next) }
        next = max(next, now.addingTimeInterval(-1)).addingTimeInterval(interval)
    }
}
