import Testing
import ZoneKVDevice

/// Data path conformance: the same tests against every backend.
@Suite(.serialized)
struct DataPathConformanceTests {
    @Test("append then read returns the data at the assigned address", arguments: DeviceUnderTest.all)
    func appendReadRoundTrip(_ subject: DeviceUnderTest) throws {
        try subject.withDevice { device in
            let queue = try device.makeQueue()
            let geometry = device.geometry
            let zone = ZoneID(1)
            var expected: [(BlockAddress, [UInt8])] = []
            for (index, size) in [1, geometry.blockSize, 3 * geometry.blockSize + 17, geometry.maxAppendBytes].enumerated() {
                let data = pattern(seed: index, count: size)
                let address = try queue.append(data, to: zone)
                #expect(geometry.zone(containing: address) == zone)
                expected.append((address, data))
            }
            // Appends land back to back from the zone start.
            var next = geometry.startBlock(of: zone)
            for (address, data) in expected {
                #expect(address == next)
                next = next.advanced(by: UInt64(geometry.blocks(forBytes: data.count)))
                let blocks = geometry.blocks(forBytes: data.count)
                let read = try queue.read(from: address, blockCount: blocks)
                #expect(Array(read.prefix(data.count)) == data)
                #expect(read.dropFirst(data.count).allSatisfy { $0 == 0 }, "the padding of a partial block reads back as zeros")
            }
            #expect(try queue.describe(zone).writePointer == next)
            #expect(try queue.describe(zone).state == .implicitlyOpened)
        }
    }

    @Test("32 concurrent appends to one zone get distinct addresses and keep their data", arguments: DeviceUnderTest.all)
    func concurrentAppendsToOneZone(_ subject: DeviceUnderTest) throws {
        try subject.withDevice { device in
            let queue = try device.makeQueue(depth: 32)
            let geometry = device.geometry
            let zone = ZoneID(2)
            let blocksEach = 2
            var tagSeed = [Int](repeating: -1, count: queue.depth)
            for index in 0..<32 {
                let tag = try #require(queue.reserveTag())
                queue.buffer(for: tag).copy(from: pattern(seed: 1000 + index, count: blocksEach * geometry.blockSize))
                try queue.enqueue(.append(zone, blockCount: blocksEach), on: tag)
                tagSeed[tag.index] = 1000 + index
            }
            #expect(queue.inFlightCount == 32)
            try queue.submit()
            var assigned: [BlockAddress: Int] = [:]
            var completionOrder: [Int] = []
            while queue.inFlightCount > 0 {
                try queue.reap(minimum: 1) { completion in
                    #expect(completion.error == nil, "\(String(describing: completion.error))")
                    assigned[completion.assignedAddress] = tagSeed[completion.tag.index]
                    completionOrder.append(tagSeed[completion.tag.index])
                }
            }
            #expect(assigned.count == 32, "every append got its own address")
            let start = geometry.startBlock(of: zone).rawValue
            let addresses = assigned.keys.map(\.rawValue).sorted()
            #expect(addresses == (0..<32).map { start + UInt64($0 * blocksEach) }, "the appends tile the zone from its start")
            for (address, seed) in assigned {
                let read = try queue.read(from: address, blockCount: blocksEach)
                #expect(read == pattern(seed: seed, count: blocksEach * geometry.blockSize), "data at \(address)")
            }
            #expect(try queue.describe(zone).writtenBlocks == UInt64(32 * blocksEach))
            // Append order (from addresses) versus submission order: on real devices the kernel
            // dispatches a batch in reverse, so the two usually differ; both are valid.
            let appendOrder = assigned.sorted { $0.key < $1.key }.map(\.value)
            print("\(subject.name): append order \(appendOrder == appendOrder.sorted() ? "matches" : "differs from") submission order; completion order \(completionOrder == completionOrder.sorted() ? "matches" : "differs")")
        }
    }

    @Test("appends in flight across several zones at once", arguments: DeviceUnderTest.all)
    func appendsAcrossZones(_ subject: DeviceUnderTest) throws {
        try subject.withDevice { device in
            let queue = try device.makeQueue(depth: 32)
            let geometry = device.geometry
            let zones = (0..<min(3, geometry.maxOpenZones ?? 3)).map { ZoneID($0 + 3) }
            var expected: [Int: (ZoneID, Int)] = [:]
            for index in 0..<24 {
                let tag = try #require(queue.reserveTag())
                let zone = zones[index % zones.count]
                queue.buffer(for: tag).copy(from: pattern(seed: 5000 + index, count: geometry.blockSize))
                try queue.enqueue(.append(zone, blockCount: 1), on: tag)
                expected[tag.index] = (zone, 5000 + index)
            }
            var results: [(BlockAddress, ZoneID, Int)] = []
            try queue.reap(minimum: 24) { completion in
                let (zone, seed) = expected[completion.tag.index]!
                #expect(completion.error == nil)
                results.append((completion.assignedAddress, zone, seed))
            }
            #expect(results.count == 24)
            for (address, zone, seed) in results {
                #expect(geometry.zone(containing: address) == zone)
                #expect(try queue.read(from: address, blockCount: 1) == pattern(seed: seed, count: geometry.blockSize))
            }
        }
    }

    @Test("writes at the write pointer advance it; writes elsewhere are invalid writes", arguments: DeviceUnderTest.all)
    func writeAtWritePointer(_ subject: DeviceUnderTest) throws {
        try subject.withDevice { device in
            let queue = try device.makeQueue()
            let geometry = device.geometry
            let zone = ZoneID(4)
            let start = geometry.startBlock(of: zone)
            let first = pattern(seed: 7, count: 2 * geometry.blockSize)
            try queue.write(first, at: start)
            #expect(try queue.describe(zone).writePointer == start.advanced(by: 2))

            let behind = deviceError { try queue.write(pattern(seed: 8, count: geometry.blockSize), at: start) }
            #expect(behind?.code == .zoneInvalidWrite)
            let ahead = deviceError { try queue.write(pattern(seed: 8, count: geometry.blockSize), at: start.advanced(by: 5)) }
            #expect(ahead?.code == .zoneInvalidWrite)
            #expect(try queue.describe(zone).writePointer == start.advanced(by: 2), "failed writes leave the write pointer alone")
            #expect(try queue.read(from: start, blockCount: 2) == first)
        }
    }

    @Test("reads of unwritten blocks return zeros", arguments: DeviceUnderTest.all)
    func unwrittenBlocksReadAsZeros(_ subject: DeviceUnderTest) throws {
        try subject.withDevice { device in
            let queue = try device.makeQueue()
            let geometry = device.geometry
            let zone = ZoneID(5)
            _ = try queue.append(pattern(seed: 9, count: geometry.blockSize), to: zone)
            let above = try queue.read(from: geometry.startBlock(of: zone).advanced(by: 1), blockCount: 4)
            #expect(above.allSatisfy { $0 == 0 })
            let elsewhere = try queue.read(from: geometry.startBlock(of: ZoneID(6)), blockCount: 4)
            #expect(elsewhere.allSatisfy { $0 == 0 })
        }
    }

    @Test("transfers larger than one command are split, in both directions", arguments: DeviceUnderTest.all)
    func largeTransfersSplit(_ subject: DeviceUnderTest) throws {
        try subject.withDevice { device in
            let queue = try device.makeQueue(depth: 8)
            let geometry = device.geometry
            let zone = ZoneID(7)
            let blocks = 2 * geometry.maxTransferBlocks + 3
            let data = pattern(seed: 11, count: blocks * geometry.blockSize)
            try queue.write(data, at: geometry.startBlock(of: zone))
            #expect(try queue.describe(zone).writtenBlocks == UInt64(blocks))
            #expect(try queue.read(from: geometry.startBlock(of: zone), blockCount: blocks) == data)

            // A single command above the buffer is refused, never sent.
            let tag = try #require(queue.reserveTag())
            defer { queue.releaseTag(tag) }
            let refused = deviceError { try queue.enqueue(.read(geometry.startBlock(of: zone), blockCount: blocks), on: tag) }
            #expect(refused?.code == .transferTooLarge)
        }
    }

    @Test("appends above the append limit are refused before they reach the device", arguments: DeviceUnderTest.all)
    func appendAboveLimitRefused(_ subject: DeviceUnderTest) throws {
        try subject.withDevice { device in
            let geometry = device.geometry
            let queue = try device.makeQueue(bufferBytes: geometry.maxTransferBytes)
            let zone = ZoneID(8)
            let tooBig = pattern(seed: 12, count: geometry.maxAppendBytes + geometry.blockSize)
            let error = deviceError { _ = try queue.append(tooBig, to: zone) }
            #expect(error?.code == .appendTooLarge)
            #expect(error?.nvmeStatus == nil, "the device never saw it")
            #expect(queue.inFlightCount == 0)
            #expect(try queue.describe(zone).state == .empty)
            let exact = try queue.append(pattern(seed: 13, count: geometry.maxAppendBytes), to: zone)
            #expect(exact == geometry.startBlock(of: zone))
        }
    }

    @Test("flush completes", arguments: DeviceUnderTest.all)
    func flushCompletes(_ subject: DeviceUnderTest) throws {
        try subject.withDevice { device in
            let queue = try device.makeQueue()
            _ = try queue.append(pattern(seed: 14, count: 100), to: ZoneID(0))
            try queue.flush()
        }
    }
}
