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
    /// Fills `zone` to capacity with appends of the largest allowed size.
    func fill(_ zone: ZoneID) throws {
        let chunk = geometry.maxAppendBlocks
        var remaining = Int(try describe(zone).remainingBlocks)
        var seed = zone.rawValue << 20
        while remaining > 0 {
            let count = min(chunk, remaining)
            _ = try append(pattern(seed: seed, count: count * geometry.blockSize), to: zone)
            remaining -= count
            seed += 1
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
