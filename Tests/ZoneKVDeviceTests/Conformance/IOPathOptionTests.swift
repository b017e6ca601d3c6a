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
    ]

    @Test("appends, reads and zone management work on every I/O path", arguments: DeviceUnderTest.all, variants)
    func commandsOnEveryPath(_ subject: DeviceUnderTest, _ variant: Variant) throws {
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
}
