import Dispatch
import Foundation
import Testing
import ZoneKV

#if canImport(Glibc)
import Glibc
#endif

/// A real writer process is killed at a random moment while several threads write (and the
/// store writes checkpoints); the store must come back with every acknowledged write (every
/// synced one after a simulated power loss that also tears the last write) and with each batch
/// entirely there or entirely absent.
@Suite(.serialized) struct StoreCrashTests {
    static let pathVariable = "ZONEKV_CRASH_TEST_PATH"
    static let batchSize = 40

    @Test func acknowledgedWritesSurviveSIGKILL() async throws {
        try await crashAndCheck(losingPower: false)
    }

    @Test func syncedWritesSurviveSIGKILLAndPowerLossWithATornWrite() async throws {
        guard StoreUnderTest.isEmulated else { return }
        try await crashAndCheck(losingPower: true)
    }

    private func crashAndCheck(losingPower: Bool) async throws {
        let (path, cleanUp) = StoreUnderTest.makeDevicePath()
        defer {
            cleanUp()
            unlink(path + ".progress")
        }
        try Store.format(path, options: StoreUnderTest.options()).close()
        setenv(Self.pathVariable, path, 1)
        await #expect(processExitsWith: .signal(SIGKILL)) {
            StoreCrashTests.writeUntilKilled()
        }
        let progress = try readProgress(path + ".progress")
        #expect(progress.acknowledged > 100, "the writer made too little progress before it was killed")
        if losingPower {
            let device = try ZonedDevice.open(path)
            try device.emulator!.simulatePowerLoss(tearingLastWrite: true)
        }
        try verify(path, mustHave: losingPower ? progress.synced : progress.acknowledged)
    }

    /// Every key up to `mustHave` is there with its value, and every batch is whole.
    private func verify(_ path: String, mustHave: Int) throws {
        let store = try Store.open(path, options: StoreUnderTest.options())
        defer { try? store.close() }
        for index in 0..<mustHave {
            #expect(try store.get([UInt8]("seq-\(index)")) == Self.value(index), "seq-\(index) was acknowledged but is lost")
        }
        // Batches: all of a batch's keys or none.
        var batchNumbers = Set<String>()
        for pair in try store.scan(prefix: [UInt8]("batch-")) {
            let name = String(decoding: pair.key, as: UTF8.self).split(separator: "-")
            batchNumbers.insert("\(name[1])-\(name[2])")
        }
        #expect(!batchNumbers.isEmpty, "no batch was written before the kill")
        for batch in batchNumbers {
            let keys = try store.scan(prefix: [UInt8]("batch-\(batch)-"))
            #expect(keys.count == Self.batchSize, "batch \(batch) is partly there: \(keys.count) of \(Self.batchSize) keys")
        }
    }

    static func value(_ index: Int) -> [UInt8] { randomBytes(200 + index % 900, seed: UInt64(index) + 1) }

    /// The child: threads write batches, the main thread writes sequential keys and records each
    /// acknowledgement (and each sync) in a progress file, until it kills itself mid-stream.
    static func writeUntilKilled() {
        let path = ProcessInfo.processInfo.environment[pathVariable]!
        var options = StoreUnderTest.options()
        options.checkpointAfterBytes = 256 << 10  // kills and power loss land in checkpoints too
        let store = try! Store.open(path, options: options)
        let progress = open(path + ".progress", O_RDWR | O_CREAT | O_TRUNC, 0o644)
        for thread in 0..<3 {
            Thread.detachNewThread {
                var number = 0
                while true {
                    var batch = WriteBatch()
                    for key in 0..<batchSize {
                        batch.put([UInt8]("batch-\(thread)-\(number)-\(key)"), randomBytes(300 + key * 20, seed: UInt64(number * 100 + key + 1)))
                    }
                    try? store.write(batch)
                    number += 1
                }
            }
        }
        let killAfter = 500 + Int.random(in: 0..<1500)
        var synced = 0
        for index in 0..<Int.max {
            try! store.put([UInt8]("seq-\(index)"), value(index))
            if index % 100 == 99 {
                try! store.sync()
                synced = index + 1
            }
            var counters = [Int64(index + 1), Int64(synced)]
            _ = pwrite(progress, &counters, 16, 0)
            if index == killAfter { kill(getpid(), SIGKILL) }
        }
    }

    private func readProgress(_ path: String) throws -> (acknowledged: Int, synced: Int) {
        let data = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        guard data.count >= 16 else { return (0, 0) }
        let numbers = data.withUnsafeBytes { ($0.load(as: Int64.self), $0.load(fromByteOffset: 8, as: Int64.self)) }
        return (Int(numbers.0), Int(numbers.1))
    }
}
