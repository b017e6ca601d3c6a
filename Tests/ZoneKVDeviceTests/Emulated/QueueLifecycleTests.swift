import Foundation
import Testing
import ZoneKVDevice

/// Command slots through their whole life: batches, whole operations in between, and errors.
@Suite
struct QueueLifecycleTests {
    private func withDevice(_ body: (ZonedDevice) throws -> Void) throws {
        let path = temporaryDevicePath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try ZonedDevice.createEmulated(at: path, geometry: .awkward)
        try body(try ZonedDevice.open(path))
    }

    @Test("completions reaped while an operation waits are still delivered by the next reap")
    func backlogIsDelivered() throws {
        try withDevice { device in
            let queue = try device.makeQueue(depth: 8)
            var expected: Set<Int> = []
            for index in 0..<4 {
                let tag = try #require(queue.reserveTag())
                queue.buffer(for: tag).fill(UInt8(index))
                try queue.enqueue(.append(ZoneID(0), blockCount: 1), on: tag)
                expected.insert(tag.index)
            }
            try queue.flush()  // waits for its own completion; the appends complete meanwhile
            #expect(queue.inFlightCount == 4, "the appends are not delivered yet")
            var delivered: Set<Int> = []
            while queue.inFlightCount > 0 {
                try queue.reap(minimum: 1) { completion in
                    #expect(completion.succeeded)
                    delivered.insert(completion.tag.index)
                }
            }
            #expect(delivered == expected)
            var reserved: [CommandTag] = []
            while let tag = queue.reserveTag() { reserved.append(tag) }
            #expect(Set(reserved.map(\.index)).count == 8, "every slot is free exactly once")
        }
    }

    @Test("a batch is dispatched last first, so its appends get addresses in reverse, as on Linux")
    func batchDispatchOrder() throws {
        try withDevice { device in
            let queue = try device.makeQueue(depth: 8)
            var submissionOrder: [Int] = []
            for _ in 0..<8 {
                let tag = try #require(queue.reserveTag())
                try queue.enqueue(.append(ZoneID(1), blockCount: 1), on: tag)
                submissionOrder.append(tag.index)
            }
            var addressByTag: [Int: UInt64] = [:]
            try queue.reap(minimum: 8) { addressByTag[$0.tag.index] = $0.assignedAddress.rawValue }
            let addresses = submissionOrder.map { addressByTag[$0]! }
            #expect(addresses == addresses.sorted(by: >))
        }
    }

    @Test("a flush makes durable what was written before it started, not what completes during it")
    func flushSnapshot() throws {
        let path = temporaryDevicePath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try ZonedDevice.createEmulated(at: path, geometry: .awkward)
        do {
            let device = try ZonedDevice.open(path)
            let flushing = try device.makeQueue(depth: 2)
            let writing = try device.makeQueue(depth: 2)
            _ = try writing.append([1], to: ZoneID(0))
            let tag = try #require(flushing.reserveTag())
            try flushing.enqueue(.flush, on: tag)
            try flushing.submit()  // the flush starts: zone 0 holds 1 block
            _ = try writing.append([2], to: ZoneID(0))  // written while the flush runs
            try flushing.reap(minimum: 1) { #expect($0.succeeded) }
        }
        try ZonedDevice.open(path).emulator!.simulatePowerLoss()
        let queue = try ZonedDevice.open(path).makeQueue()
        #expect(try queue.describe(ZoneID(0)).writtenBlocks == 1)
    }

    @Test("a queue dropped with commands in flight waits for them before freeing their buffers")
    func dropWithCommandsInFlight() throws {
        try withDevice { device in
            do {
                let queue = try device.makeQueue(depth: 8)
                for index in 0..<8 {
                    let tag = try #require(queue.reserveTag())
                    queue.buffer(for: tag).fill(UInt8(index + 1))
                    try queue.enqueue(.append(ZoneID(4), blockCount: 1), on: tag)
                }
                try queue.submit()
            }
            let queue = try device.makeQueue()
            #expect(try queue.describe(ZoneID(4)).writtenBlocks == 8)
            let blocks = try queue.read(from: device.geometry.startBlock(of: ZoneID(4)), blockCount: 8)
            let firstBytes = Set(stride(from: 0, to: blocks.count, by: device.geometry.blockSize).map { blocks[$0] })
            #expect(firstBytes == Set(1...8), "every append landed intact")
        }
    }

    @Test("bad zone numbers and counts are refused, not trapped on")
    func badArguments() throws {
        try withDevice { device in
            let queue = try device.makeQueue()
            let zones = device.geometry.zoneCount
            #expect(deviceError { _ = try queue.describe(ZoneID(zones)) }?.code == .invalidArgument)
            #expect(deviceError { _ = try queue.append([1], to: ZoneID(-1)) }?.code == .invalidArgument)
            #expect(deviceError { try queue.manage(.reset, ZoneID(-3)) }?.code == .invalidArgument)
            #expect(deviceError { _ = try queue.reportZones(count: -1) }?.code == .invalidArgument)
            #expect(try queue.reportZones(from: ZoneID(2), count: Int.max).count == zones - 2)
            #expect(queue.hasFreeTag)
            #expect(queue.inFlightCount == 0)
        }
    }

    @Test("a failed operation leaves the queue usable")
    func failedOperationLeavesQueueUsable() throws {
        try withDevice { device in
            let queue = try device.makeQueue(depth: 2)
            #expect(deviceError { _ = try queue.append([UInt8](repeating: 1, count: 1 << 20), to: ZoneID(0)) }?.code == .appendTooLarge)
            #expect(deviceError { try queue.manage(.close, ZoneID(0)) }?.code == .invalidZoneStateTransition)
            #expect(queue.inFlightCount == 0)
            _ = try queue.append([1], to: ZoneID(0))
            let first = queue.reserveTag()
            let second = queue.reserveTag()
            #expect(first != nil && second != nil, "both slots are free again")
        }
    }
}
