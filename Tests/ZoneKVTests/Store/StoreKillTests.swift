import Foundation
import Testing
import ZoneKV

#if canImport(Glibc)
import Glibc
#endif

/// The crash suite: a writer process runs a random workload (puts, overwrites, deletes, batches,
/// large values) on a device small enough that garbage collection runs most of the time, with
/// a checkpoint every 256 KiB written, and is killed with SIGKILL at a random moment, over and
/// over on the same store. After each kill the store reopens (from its newest checkpoint, or, in
/// every other round, from the whole log) and must match the log of acknowledged operations
/// exactly: nothing acknowledged lost, no value damaged, no deleted key back, no batch half
/// there. The one operation in flight at the kill may be there or not, as a whole.
///
/// `ZONEKV_KILL_ROUNDS` sets the number of kills (default 100 on the emulated device, 10 on a
/// real one).
@Suite(.serialized) struct StoreKillTests {
    static let pathVariable = "ZONEKV_KILL_TEST_PATH"
    static let firstOperationVariable = "ZONEKV_KILL_TEST_FIRST_OPERATION"
    static let logVariable = "ZONEKV_KILL_TEST_LOG"
    /// Keys the workload puts, overwrites and deletes.
    static let hotKeys = 0..<150
    /// Keys written once before the first kill, into zones that stay mostly live, and then
    /// only deleted: their tombstones land in zones collection takes first, while the puts
    /// they hide stay on the device, so a tombstone dropped too early shows as a key back.
    static let coldKeys = 150..<450
    static var keySpace: Int { coldKeys.upperBound }

    /// A small device: 12 zones of 1 MiB writable, so the workload keeps collection busy.
    static var options: StoreOptions {
        var geometry = StoreUnderTest.geometry
        geometry.zoneSizeBytes = 3 << 19
        geometry.zoneCapacityBytes = 1 << 20
        geometry.zoneCount = 12
        var options = StoreUnderTest.options(cacheBytes: 64 << 10, geometry: geometry)
        options.collectionFreeZones = 4
        options.checkpointAfterBytes = 256 << 10
        return options
    }

    static var rounds: Int {
        ProcessInfo.processInfo.environment["ZONEKV_KILL_ROUNDS"].flatMap(Int.init) ?? (StoreUnderTest.isEmulated ? 100 : 10)
    }

    @Test func aRandomWorkloadSurvivesRepeatedSIGKILL() async throws {
        let (path, cleanUp) = StoreUnderTest.makeDevicePath()
        let logPath = StoreUnderTest.isEmulated ? path + ".log" : NSTemporaryDirectory() + "zonekv-kill-\(getpid()).log"
        defer {
            cleanUp()
            unlink(logPath)
        }
        var model = KillModel()
        do {
            let store = try Store.format(path, options: Self.options, erasingForeignData: true)
            for key in Self.coldKeys {
                let operation = KillOperation(number: 0, kind: .put, keys: [key], deletes: [false])
                try await store.put(KillOperation.key(key), operation.value(for: key))
                model.apply(operation)
            }
            try store.close()
        }
        setenv(Self.pathVariable, path, 1)
        setenv(Self.logVariable, logPath, 1)
        var nextOperation = 1
        var collections = 0
        var checkpoints = 0
        var checkpointOpens = 0
        var operations = 0
        for round in 0..<Self.rounds {
            unlink(logPath)
            setenv(Self.firstOperationVariable, "\(nextOperation)", 1)
            await #expect(processExitsWith: .signal(SIGKILL)) {
                StoreKillTests.runUntilKilled()
            }
            let log = try OperationLog.read(logPath)
            operations += log.acknowledged.count
            collections = max(collections, log.collections)
            checkpoints = max(checkpoints, log.checkpoints)
            for operation in log.acknowledged { model.apply(operation) }
            var options = Self.options
            options.rebuildIndexFromLog = round % 2 == 1
            let store = try Store.open(path, options: options)
            if store.recovery.checkpointID != nil { checkpointOpens += 1 }
            let actual = Dictionary(uniqueKeysWithValues: try store.scan().map { ($0.key, $0.value) })
            try store.close()
            let problems = model.reconcile(with: actual, inFlight: log.inFlight)
            #expect(problems.isEmpty, "round \(round): \(problems.prefix(5))")
            if !problems.isEmpty { return }
            nextOperation = max(nextOperation, (log.inFlight?.number ?? log.acknowledged.last?.number ?? nextOperation) + 1)
        }
        print(
            "kill suite: \(Self.rounds) kills, \(operations) acknowledged operations; at most \(collections) collections and \(checkpoints) checkpoints in a writer's life; \(checkpointOpens) opens from a checkpoint"
        )
        #expect(operations > Self.rounds, "the writer hardly wrote before it was killed")
        #expect(checkpoints > 0 && checkpointOpens > 0, "no checkpoint was written or used")
    }

    // MARK: The writer process

    /// The child: opens the store, arms a timer that kills it at a random moment, and runs
    /// random operations, logging each before it starts and again once acknowledged.
    static func runUntilKilled() {
        let environment = ProcessInfo.processInfo.environment
        let path = environment[pathVariable]!
        var number = Int(environment[firstOperationVariable]!)!
        let log = OperationLog(appendingTo: environment[logVariable]!)
        // On the emulated device the timer starts before the open, so some kills land in
        // recovery too; a real device in the guest (emulated CPU) needs longer to get going.
        let delay = StoreUnderTest.isEmulated ? useconds_t.random(in: 20_000...400_000) : useconds_t.random(in: 200_000...1_500_000)
        func armKiller() {
            Thread.detachNewThread {
                usleep(delay)
                kill(getpid(), SIGKILL)
            }
        }
        if StoreUnderTest.isEmulated { armKiller() }
        let store = try! Store.open(path, options: options)
        if !StoreUnderTest.isEmulated { armKiller() }
        var random = SystemRandomNumberGenerator()
        while true {
            let operation = KillOperation.random(number: number, using: &random)
            log.begin(operation)
            switch operation.kind {
            case .put, .largePut:
                try! store.put(KillOperation.key(operation.keys[0]), operation.value(for: operation.keys[0]))
            case .delete:
                try! store.delete(KillOperation.key(operation.keys[0]))
            case .batch:
                var batch = WriteBatch()
                for (index, key) in operation.keys.enumerated() {
                    if operation.deletes[index] { batch.delete(KillOperation.key(key)) } else { batch.put(KillOperation.key(key), operation.value(for: key)) }
                }
                try! store.write(batch)
            }
            log.acknowledge(operation.number)
            if number % 64 == 0 {
                let statistics = try! store.statistics()
                log.note(collections: statistics.collections, checkpoints: statistics.checkpoints)
            }
            number += 1
        }
    }
}

/// One operation of the workload, and what it writes.
struct KillOperation: Hashable {
    enum Kind: Int64 { case put = 1, delete = 2, batch = 3, largePut = 4 }

    var number: Int
    var kind: Kind
    var keys: [Int]
    /// For a batch: which of its keys it deletes.
    var deletes: [Bool]

    static func key(_ number: Int) -> [UInt8] { [UInt8]("key-\(number)") }

    /// The value this operation gives `key`: its size and bytes follow from operation and key.
    func value(for key: Int) -> [UInt8] {
        let count = kind == .largePut ? 150_000 + number % 50_000 : number == 0 ? 8000 : 1 + (number &* 7919 + key) % 3000
        return randomBytes(count, seed: UInt64(number) << 20 | UInt64(key))
    }

    static func random(number: Int, using random: inout SystemRandomNumberGenerator) -> KillOperation {
        let hot = StoreKillTests.hotKeys
        switch Int.random(in: 0..<100, using: &random) {
        case 0..<55:
            return KillOperation(number: number, kind: .put, keys: [Int.random(in: hot, using: &random)], deletes: [false])
        case 55..<65:
            return KillOperation(number: number, kind: .delete, keys: [Int.random(in: hot, using: &random)], deletes: [true])
        case 65..<70:
            let cold = StoreKillTests.coldKeys
            return KillOperation(number: number, kind: .delete, keys: [Int.random(in: cold, using: &random)], deletes: [true])
        case 70..<97:
            let keys = Array(Set((0..<Int.random(in: 2...12, using: &random)).map { _ in Int.random(in: hot, using: &random) }))
            return KillOperation(number: number, kind: .batch, keys: keys, deletes: keys.map { _ in Bool.random(using: &random) })
        default:
            return KillOperation(number: number, kind: .largePut, keys: [Int.random(in: hot, using: &random)], deletes: [false])
        }
    }
}

/// What the store must hold: each key's value, as the operations that set it.
struct KillModel {
    /// Key number to the operation whose value it holds.
    private var holders: [Int: KillOperation] = [:]

    mutating func apply(_ operation: KillOperation) {
        for (index, key) in operation.keys.enumerated() {
            holders[key] = operation.deletes[index] ? nil : operation
        }
    }

    private func expected(_ key: Int) -> [UInt8]? { holders[key].map { $0.value(for: key) } }

    /// Compares the store with the model. The operation in flight may be there or not, as a
    /// whole; the model takes whichever happened. Returns what did not match.
    mutating func reconcile(with actual: [[UInt8]: [UInt8]], inFlight: KillOperation?) -> [String] {
        var candidate = self
        if let inFlight { candidate.apply(inFlight) }
        let touched = Set(inFlight?.keys ?? [])
        var problems: [String] = []
        var appliedVotes = Set<Bool>()
        for key in 0..<StoreKillTests.keySpace {
            let got = actual[KillOperation.key(key)]
            if touched.contains(key) {
                let before = expected(key)
                let after = candidate.expected(key)
                if got == after && got != before { appliedVotes.insert(true) }
                if got == before && got != after { appliedVotes.insert(false) }
                if got != before && got != after { problems.append("key \(key) holds \(describe(got)), neither before nor after operation \(inFlight!.number)") }
            } else if got != expected(key) {
                problems.append("key \(key) holds \(describe(got)), expected \(describe(expected(key)))")
            }
        }
        if appliedVotes.count > 1 { problems.append("operation \(inFlight!.number) (\(inFlight!.kind)) is partly applied") }
        let known = Set((0..<StoreKillTests.keySpace).map(KillOperation.key))
        for key in actual.keys where !known.contains(key) { problems.append("an unknown key \(String(decoding: key, as: UTF8.self)) appeared") }
        if appliedVotes == [true] { self = candidate }
        return problems
    }

    private func describe(_ value: [UInt8]?) -> String { value.map { "\($0.count) bytes" } ?? "nothing" }
}

/// The writer's log: each operation as it starts (number, kind, keys) and each acknowledgement,
/// appended with write(2), so the kernel keeps them when the process is killed.
final class OperationLog {
    private let descriptor: Int32
    private static let acknowledgement: Int64 = -1
    private static let collectionCount: Int64 = -2
    private static let checkpointCount: Int64 = -3

    init(appendingTo path: String) {
        descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
    }

    private func write(_ words: [Int64]) {
        words.withUnsafeBytes { _ = Glibc.write(descriptor, $0.baseAddress, $0.count) }
    }

    func begin(_ operation: KillOperation) {
        var words: [Int64] = [Int64(operation.number), operation.kind.rawValue, Int64(operation.keys.count)]
        for (index, key) in operation.keys.enumerated() { words.append(Int64(key) * 2 + (operation.deletes[index] ? 1 : 0)) }
        write(words)
    }

    func acknowledge(_ number: Int) { write([Int64(number), Self.acknowledgement]) }

    func note(collections: Int, checkpoints: Int) {
        write([Int64(collections), Self.collectionCount, Int64(checkpoints), Self.checkpointCount])
    }

    struct Contents {
        var acknowledged: [KillOperation] = []
        var inFlight: KillOperation?
        var collections = 0
        var checkpoints = 0
    }

    static func read(_ path: String) throws -> Contents {
        let data = (try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data()
        let words = data.withUnsafeBytes { Array($0.bindMemory(to: Int64.self).prefix(data.count / 8)) }
        var contents = Contents()
        var position = 0
        while position + 1 < words.count {
            let (first, second) = (words[position], words[position + 1])
            if second == acknowledgement {
                if let operation = contents.inFlight, operation.number == Int(first) { contents.acknowledged.append(operation) }
                contents.inFlight = nil
                position += 2
            } else if second == collectionCount {
                contents.collections = Int(first)
                position += 2
            } else if second == checkpointCount {
                contents.checkpoints = Int(first)
                position += 2
            } else {
                guard position + 2 < words.count, let kind = KillOperation.Kind(rawValue: second) else { break }
                let count = Int(words[position + 2])
                guard position + 3 + count <= words.count else { break }  // cut off by the kill
                let encoded = words[(position + 3)..<(position + 3 + count)]
                contents.inFlight = KillOperation(
                    number: Int(first), kind: kind, keys: encoded.map { Int($0 / 2) }, deletes: encoded.map { $0 % 2 == 1 })
                position += 3 + count
            }
        }
        return contents
    }
}
