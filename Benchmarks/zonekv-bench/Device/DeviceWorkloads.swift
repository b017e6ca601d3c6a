import YCSB
import ZoneKV

/// Device-layer workloads driven through one queue at a fixed depth: every slot stays busy, a
/// completed command is replaced at once, and submissions and completions are batched.
struct DeviceWorkloads {
    let device: ZonedDevice
    /// Zones the random reads draw from (filled during setup).
    let readZones: Range<Int>
    /// Zones the append workload writes into (reset as they fill).
    let appendZones: Range<Int>

    /// Fills the read zones so random reads touch real data.
    func prepareReadZones(queue: DeviceQueue) throws {
        let geometry = device.geometry
        for zone in readZones {
            let descriptor = try queue.describe(ZoneID(zone))
            if descriptor.state == .full { continue }
            if descriptor.writtenBlocks > 0 { try queue.manage(.reset, ZoneID(zone)) }
            var remaining = Int(geometry.zoneCapacity)
            var failure: DeviceError?
            while remaining > 0 {
                while remaining > 0, let tag = queue.reserveTag() {
                    let count = min(geometry.maxAppendBlocks, remaining)
                    queue.buffer(for: tag).fill(UInt8(truncatingIfNeeded: zone &+ remaining))
                    try queue.enqueue(.append(ZoneID(zone), blockCount: count), on: tag)
                    remaining -= count
                }
                try queue.reap(minimum: 1) { completion in failure = failure ?? completion.error }
            }
            try queue.reap(minimum: queue.inFlightCount) { completion in failure = failure ?? completion.error }
            if let failure { throw BenchError("filling \(ZoneID(zone)) for the read workload failed: \(failure)") }
        }
        try queue.flush()
    }

    /// Random reads of `blocksEach` blocks (one by default) for `seconds`; returns operations per second.
    func randomReads(queue: DeviceQueue, seconds: Double, seed: UInt64, blocksEach: Int = 1) throws -> Double {
        try timedRandomReads(queue: queue, seconds: seconds, seed: seed, blocksEach: blocksEach).operationsPerSecond
    }

    /// Random reads of `blocksEach` blocks for `seconds`, keeping every slot busy, with each
    /// read's latency from enqueue to completion.
    func timedRandomReads(queue: DeviceQueue, seconds: Double, seed: UInt64, blocksEach: Int = 1) throws -> LatencyRecorder {
        let geometry = device.geometry
        var random = FastRandom(seed: seed)
        let zoneCount = UInt64(readZones.count)
        let firstZone = UInt64(readZones.lowerBound)
        let clock = ContinuousClock()
        var started = [ContinuousClock.Instant](repeating: clock.now, count: queue.depth)
        var recorder = LatencyRecorder()
        let run = try runClosedLoop(
            queue: queue, seconds: seconds,
            refill: {
                while let tag = queue.reserveTag() {
                    let zone = firstZone + random.next(below: zoneCount)
                    let address = BlockAddress(zone * geometry.zoneSize + random.next(below: geometry.zoneCapacity - UInt64(blocksEach) + 1))
                    started[tag.index] = clock.now
                    try queue.enqueue(.read(address, blockCount: blocksEach), on: tag)
                }
            },
            completed: { completion in recorder.record(started[completion.tag.index].duration(to: clock.now)) })
        recorder.addElapsed(run.seconds)
        return recorder
    }

    /// Zone Appends of the append limit (or of `blocksEach` blocks) for `seconds`, spreading in-flight appends over the
    /// append zones and resetting zones as they fill; returns bytes per second.
    func appendBandwidth(queue: DeviceQueue, seconds: Double, blocksEach: Int? = nil) throws -> Double {
        let geometry = device.geometry
        let blocks = min(blocksEach ?? geometry.maxAppendBlocks, geometry.maxAppendBlocks, queue.bufferBytes / geometry.blockSize)
        let bytesEach = blocks * geometry.blockSize
        for zone in appendZones { try queue.manage(.reset, ZoneID(zone)) }
        // Each zone can take this many appends before it is full.
        let perZone = Int(geometry.zoneCapacity) / blocks
        var issued = [Int](repeating: 0, count: geometry.zoneCount)
        var zoneCursor = appendZones.lowerBound
        var drained = 0
        var failure: DeviceError?
        func issue() throws {
            while queue.hasFreeTag {
                if issued[zoneCursor] >= perZone {
                    // Move on; once every append zone is used up, drain and reset the next one.
                    zoneCursor = zoneCursor + 1 < appendZones.upperBound ? zoneCursor + 1 : appendZones.lowerBound
                    if issued[zoneCursor] >= perZone {
                        drained += try queue.reap(minimum: queue.inFlightCount) { completion in
                            if let error = completion.error { failure = error }
                        }
                        try queue.manage(.reset, ZoneID(zoneCursor))
                        issued[zoneCursor] = 0
                    }
                }
                let tag = queue.reserveTag()!
                try queue.enqueue(.append(ZoneID(zoneCursor), blockCount: blocks), on: tag)
                issued[zoneCursor] += 1
            }
        }
        let run = try runClosedLoop(queue: queue, seconds: seconds, refill: issue)
        if let failure { throw failure }
        return Double((run.completed + drained) * bytesEach) / run.seconds
    }

    /// Keeps every slot of `queue` busy for `seconds`: `refill` enqueues commands into free
    /// slots, completions are reaped in batches and passed to `completed`. Returns the
    /// completions it reaped and the time taken.
    private func runClosedLoop(
        queue: DeviceQueue, seconds: Double, refill: () throws -> Void, completed: (Completion) -> Void = { _ in }
    ) throws -> (completed: Int, seconds: Double) {
        var count = 0
        var failure: DeviceError?
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start.advanced(by: .milliseconds(Int(seconds * 1000)))
        try refill()
        var checks = 0
        while true {
            try queue.reap(minimum: 1) { completion in
                if let error = completion.error { failure = error }
                completed(completion)
                count += 1
            }
            if let failure { throw failure }
            checks += 1
            if checks & 15 == 0, clock.now >= deadline { break }
            try refill()
        }
        let elapsed = start.duration(to: clock.now)
        try queue.reap(minimum: queue.inFlightCount) { _ in }
        return (count, elapsed.seconds)
    }
}
