import Foundation
import Testing
import ZoneKVDevice

/// Every I/O path option, selected at open time, runs the same commands with the same results.
@Suite(.serialized)
struct IOPathOptionTests {
    struct Variant: Sendable, CustomTestStringConvertible {
        let name: String
        let options: DeviceOptions
        var testDescription: String { name }
    }

    static let variants: [Variant] = [
        Variant(name: "plain", options: DeviceOptions()),
        Variant(name: "registered files", options: DeviceOptions(registeredFiles: true)),
        Variant(name: "fixed buffers", options: DeviceOptions(fixedBuffers: true)),
        Variant(name: "registered files + fixed buffers", options: DeviceOptions(registeredFiles: true, fixedBuffers: true)),
        Variant(name: "submission polling (SQPOLL)", options: DeviceOptions(polledSubmissions: true)),
        Variant(name: "completion polling (IOPOLL)", options: DeviceOptions(polledCompletions: true, directIO: true)),
        Variant(
            name: "IOPOLL + fixed buffers + registered files",
            options: DeviceOptions(registeredFiles: true, fixedBuffers: true, polledCompletions: true, directIO: true)),
        Variant(name: "synchronous ioctl", options: DeviceOptions(commandPath: .synchronousIOCtl)),
        Variant(name: "ioctl thread pool", options: DeviceOptions(commandPath: .ioctlThreadPool)),
        Variant(name: "block layer", options: DeviceOptions(commandPath: .blockLayer)),
        Variant(
            name: "block layer + IOPOLL + fixed buffers + registered files",
            options: DeviceOptions(registeredFiles: true, fixedBuffers: true, polledCompletions: true, directIO: true, commandPath: .blockLayer)),
    ]

    /// Why `subject` must refuse `variant` at open, as a phrase the error must contain; `nil`
    /// if it must take it.
    static func expectedRefusal(of variant: Variant, by subject: DeviceUnderTest) -> String? {
        switch subject.source {
        case .emulated:
            return variant.options.commandPath == .ioUring ? nil : "needs an NVMe device"
        case let .path(path):
            guard variant.options.commandPath == .blockLayer else { return nil }
            let blockPath = path.replacingOccurrences(of: "/dev/ng", with: "/dev/nvme")
            return FileManager.default.fileExists(atPath: blockPath) ? nil : "exposes no block device"
        }
    }

    @Test("appends, reads and zone management work on every I/O path", arguments: DeviceUnderTest.all, variants)
    func commandsOnEveryPath(_ subject: DeviceUnderTest, _ variant: Variant) throws {
        if let refusal = Self.expectedRefusal(of: variant, by: subject) {
            let error = #expect(throws: DeviceError.self) { try subject.withDevice(options: variant.options) { _ in } }
            #expect(error?.code == .optionUnsupported)
            #expect(error?.message.contains(refusal) == true, "\(String(describing: error))")
            return
        }
        try subject.withDevice(options: variant.options) { device in
            let geometry = device.geometry
            let queue: DeviceQueue
            do {
                queue = try device.makeQueue(depth: 16)
            } catch let error as DeviceError where error.code == .optionUnsupported && device.backend == .emulated {
                // IOPOLL on a file needs poll queues on the block device under it; where there are
                // none the queue must say so plainly, naming the option.
                #expect(error.message.contains("IOPOLL"))
                return
            }
            let zone = ZoneID(1)
            var seeds = [Int](repeating: 0, count: queue.depth)
            for index in 0..<16 {
                let tag = try #require(queue.reserveTag())
                queue.buffer(for: tag).copy(from: pattern(seed: 300 + index, count: geometry.blockSize))
                try queue.enqueue(.append(zone, blockCount: 1), on: tag)
                seeds[tag.index] = 300 + index
            }
            var placed: [(BlockAddress, Int)] = []
            try queue.reap(minimum: 16) { completion in
                #expect(completion.error == nil, "\(String(describing: completion.error))")
                placed.append((completion.assignedAddress, seeds[completion.tag.index]))
            }
            #expect(Set(placed.map(\.0)).count == 16)
            for (address, seed) in placed {
                #expect(try queue.read(from: address, blockCount: 1) == pattern(seed: seed, count: geometry.blockSize))
            }
            let big = pattern(seed: 400, count: 3 * queue.bufferBytes)
            try queue.write(big, at: geometry.startBlock(of: ZoneID(2)))
            #expect(try queue.read(from: geometry.startBlock(of: ZoneID(2)), blockCount: geometry.blocks(forBytes: big.count)) == big)
            try queue.flush()
            try queue.manage(.reset, zone)
            #expect(try queue.describe(zone).state == .empty)
        }
    }

    /// The first real NVMe device under test (none on the host).
    static let nvmeDevice = DeviceUnderTest.all.first { if case .path = $0.source { true } else { false } }

    @Test(
        "the ioctl paths refuse ring options rather than ignore them", .enabled(if: nvmeDevice != nil, "needs an NVMe device"),
        arguments: [CommandPath.synchronousIOCtl, .ioctlThreadPool])
    func ioctlPathsRefuseRingOptions(_ path: CommandPath) throws {
        let subject = try #require(Self.nvmeDevice)
        let error = #expect(throws: DeviceError.self) {
            try subject.withDevice(options: DeviceOptions(fixedBuffers: true, polledSubmissions: true, commandPath: path)) { _ in }
        }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("fixedBuffers, polledSubmissions (SQPOLL) apply to io_uring rings") == true, "\(String(describing: error))")
    }

    @Test(
        "the ioctl thread pool keeps a whole queue of reads in flight, delivers each once, and ends its threads with the queue",
        .enabled(if: nvmeDevice != nil, "needs an NVMe device"))
    func threadPoolDeliversEveryCompletionOnce() throws {
        let subject = try #require(Self.nvmeDevice)
        func threadCount() -> Int { (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").count) ?? -1 }
        let threadsBefore = threadCount()
        try subject.withDevice(options: DeviceOptions(commandPath: .ioctlThreadPool)) { device in
            let geometry = device.geometry
            let queue = try device.makeQueue(depth: 8, bufferBytes: geometry.blockSize)
            let zone = ZoneID(0)
            let data = pattern(seed: 7, count: 64 * geometry.blockSize)
            try queue.write(data, at: geometry.startBlock(of: zone))
            var seen = [Int](repeating: 0, count: 64)
            var issued = 0
            var blockOfTag = [Int](repeating: 0, count: queue.depth)
            while issued < 64 || queue.inFlightCount > 0 {
                while issued < 64, let tag = queue.reserveTag() {
                    blockOfTag[tag.index] = issued
                    try queue.enqueue(.read(geometry.startBlock(of: zone).advanced(by: UInt64(issued)), blockCount: 1), on: tag)
                    issued += 1
                }
                try queue.reap(minimum: 1) { completion in
                    #expect(completion.error == nil)
                    let block = blockOfTag[completion.tag.index]
                    seen[block] += 1
                    let expected = Array(data[(block * geometry.blockSize)..<((block + 1) * geometry.blockSize)])
                    #expect(queue.buffer(for: completion.tag).bytes(count: geometry.blockSize) == expected)
                }
            }
            #expect(seen == Array(repeating: 1, count: 64))
            #expect(threadCount() >= threadsBefore + queue.depth, "one worker thread per slot")
        }
        #expect(threadCount() == threadsBefore, "the pool's threads end with its queue")
    }
}
