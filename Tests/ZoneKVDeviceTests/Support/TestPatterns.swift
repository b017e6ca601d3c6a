import Testing
import ZoneKVDevice

/// Deterministic, position-dependent bytes, so misplaced or stale data never passes for right.
func pattern(seed: Int, count: Int) -> [UInt8] {
    var state = UInt64(truncatingIfNeeded: seed) &* 0x9E37_79B9_7F4A_7C15 | 1
    return (0..<count).map { _ in
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return UInt8(truncatingIfNeeded: state)
    }
}

extension DeviceQueue {
    /// Fills `zone` to capacity with appends of the largest allowed size, all slots in flight.
    /// Each append's blocks carry one byte value (cheap to make even in a slow guest).
    func fill(_ zone: ZoneID) throws {
        var remaining = Int(try describe(zone).remainingBlocks)
        let chunk = min(geometry.maxAppendBlocks, bufferBytes / geometry.blockSize)
        var failure: DeviceError?
        while remaining > 0 || inFlightCount > 0 {
            while remaining > 0, let tag = reserveTag() {
                let count = min(chunk, remaining)
                buffer(for: tag).fill(UInt8(truncatingIfNeeded: remaining | 1))
                try enqueue(.append(zone, blockCount: count), on: tag)
                remaining -= count
            }
            try reap(minimum: 1) { completion in
                if let error = completion.error { failure = error }
            }
        }
        if let failure { throw failure }
    }

    /// Writes `blocks` blocks of one byte value at `zone`'s write pointer, one command at a time.
    func writeFiller(_ zone: ZoneID, blocks: Int) throws {
        var written = 0
        let chunk = bufferBytes / geometry.blockSize
        let start = try #require(describe(zone).writePointer)
        while written < blocks {
            let count = min(chunk, blocks - written)
            try perform(.write(start.advanced(by: UInt64(written)), blockCount: count), prepare: { $0.fill(0xA5) })
            written += count
        }
    }
}

extension Result {
    /// The error of a failed result, as a DeviceError.
    var deviceError: DeviceError? {
        if case let .failure(error) = self { return error as? DeviceError }
        return nil
    }
}

/// Runs `body` and returns the DeviceError it threw, or nil.
func deviceError(_ body: () throws -> Void) -> DeviceError? {
    do {
        try body()
        return nil
    } catch let error as DeviceError {
        return error
    } catch {
        return DeviceError(.systemError, "unexpected error \(error)")
    }
}
