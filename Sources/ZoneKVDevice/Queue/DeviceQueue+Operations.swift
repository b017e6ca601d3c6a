/// Whole operations built on the tagged command interface: each waits for its own result while
/// other commands on the queue stay in flight. Convenient for tools, tests and setup paths;
/// hot paths use `enqueue` and `reap` directly.
extension DeviceQueue {
    /// Runs one command to completion and returns its result.
    ///
    /// - Parameter prepare: Fills the slot buffer before the command is sent.
    @discardableResult
    public func perform(
        _ command: ZoneCommand, prepare: (IOBuffer) -> Void = { _ in }, inspect: (IOBuffer) throws(DeviceError) -> Void = { _ in }
    ) throws(DeviceError) -> UInt64 {
        guard let tag = reserveTag() else {
            throw DeviceError(.queueFull, "every command slot of the queue is in flight; reap completions before starting another operation")
        }
        prepare(buffer(for: tag))
        let completion: Completion
        do throws(DeviceError) {
            try enqueue(command, on: tag)
            completion = try wait(for: tag)
        } catch {
            abandon(tag)
            throw error
        }
        defer { releaseTag(tag) }
        let value = try completion.get()
        try inspect(buffer(for: tag))
        return value
    }

    /// Appends `data` to `zone` with one Zone Append (padding the last block with zeros) and
    /// returns the address the device assigned.
    ///
    /// - Throws: `.appendTooLarge` if `data` exceeds the append limit; device errors such as `.zoneFull`.
    public func append(_ data: some Collection<UInt8>, to zone: ZoneID) throws(DeviceError) -> BlockAddress {
        let blocks = max(1, geometry.blocks(forBytes: data.count))
        let command = ZoneCommand.append(zone, blockCount: blocks)
        try validate(command)  // before copying: oversized data must get an error, not overrun the buffer
        let address = try perform(command, prepare: { buffer in
            buffer.copy(from: data)
            buffer.fill(0, from: data.count, count: blocks * geometry.blockSize - data.count)
        })
        return BlockAddress(address)
    }

    /// Writes `data` at `address`, which must be its zone's write pointer, padding the last block
    /// with zeros. Transfers above one command's limit are split and written one command at a
    /// time, since the kernel may reorder concurrent writes to one zone.
    public func write(_ data: some Collection<UInt8>, at address: BlockAddress) throws(DeviceError) {
        let bytes = Array(data)
        let totalBlocks = max(1, geometry.blocks(forBytes: bytes.count))
        var block = 0
        while block < totalBlocks {
            let count = min(totalBlocks - block, bufferBytes / geometry.blockSize)
            let start = block * geometry.blockSize
            let end = min(bytes.count, start + count * geometry.blockSize)
            try perform(.write(address.advanced(by: UInt64(block)), blockCount: count), prepare: { buffer in
                let copied = start < end ? buffer.copy(from: bytes[start..<end]) : 0
                buffer.fill(0, from: copied, count: count * geometry.blockSize - copied)
            })
            block += count
        }
    }

    /// Reads `blockCount` blocks from `address`. Transfers above one command's limit are split
    /// into several commands, all in flight at once.
    public func read(from address: BlockAddress, blockCount: Int) throws(DeviceError) -> [UInt8] {
        guard blockCount > 0 else { return [] }
        let chunkBlocks = bufferBytes / geometry.blockSize
        var result = [UInt8](repeating: 0, count: blockCount * geometry.blockSize)
        var chunkStart = [Int?](repeating: nil, count: depth)
        var nextBlock = 0
        var inFlight = 0
        var failure: DeviceError?
        while (nextBlock < blockCount && failure == nil) || inFlight > 0 {
            while nextBlock < blockCount, failure == nil, let tag = reserveTag() {
                // Never cross a zone boundary in one command: the device refuses that.
                let start = address.advanced(by: UInt64(nextBlock))
                let toZoneEnd = Int(geometry.zoneSize - start.rawValue % geometry.zoneSize)
                let count = min(chunkBlocks, blockCount - nextBlock, toZoneEnd)
                do {
                    try enqueue(.read(start, blockCount: count), on: tag)
                } catch {
                    releaseTag(tag)
                    failure = error
                    break
                }
                chunkStart[tag.index] = nextBlock
                nextBlock += count
                inFlight += 1
            }
            guard inFlight > 0 else {
                if failure == nil && nextBlock < blockCount {
                    throw DeviceError(.queueFull, "every command slot of the queue is in flight; reap completions before reading")
                }
                break
            }
            var finished: [CommandTag] = []
            do throws(DeviceError) {
                try reapOwn(minimum: 1, isOwn: { chunkStart[$0.index] != nil }) { completion in
                    finished.append(completion.tag)
                    if let error = completion.error {
                        failure = failure ?? error
                        return
                    }
                    let offset = chunkStart[completion.tag.index]! * geometry.blockSize
                    let length = completion.command.transferBlocks * geometry.blockSize
                    buffer(for: completion.tag).withUnsafeBytes { source in
                        result.withUnsafeMutableBytes { target in
                            UnsafeMutableRawBufferPointer(rebasing: target[offset..<offset + length])
                                .copyMemory(from: UnsafeRawBufferPointer(rebasing: source[0..<length]))
                        }
                    }
                }
            } catch {
                for index in chunkStart.indices where chunkStart[index] != nil { abandon(CommandTag(index)) }
                throw error
            }
            for tag in finished {
                chunkStart[tag.index] = nil
                releaseTag(tag)
                inFlight -= 1
            }
        }
        if let failure { throw failure }
        return result
    }

    /// Resets, finishes, opens or closes `zone`.
    public func manage(_ action: ZoneAction, _ zone: ZoneID) throws(DeviceError) {
        try perform(.manage(action, zone))
    }

    /// Applies `action` to every zone it applies to (Select All).
    public func manageAll(_ action: ZoneAction) throws(DeviceError) {
        try perform(.manageAll(action))
    }

    /// Makes all completed writes durable across power loss.
    public func flush() throws(DeviceError) {
        try perform(.flush)
    }

    /// Describes `count` zones starting at `first` (all remaining zones by default), paging
    /// through as many Report Zones commands as it takes.
    ///
    /// - Parameter zonesPerCommand: The most zones one Report Zones may return; by default as
    ///   many as the slot buffer holds.
    public func reportZones(
        from first: ZoneID = ZoneID(0), count: Int? = nil, zonesPerCommand: Int? = nil
    ) throws(DeviceError) -> [ZoneDescriptor] {
        if let zonesPerCommand, zonesPerCommand < 1 {
            throw DeviceError(.invalidArgument, "zones per report must be at least 1, not \(zonesPerCommand)")
        }
        guard (0..<geometry.zoneCount).contains(first.rawValue) else {
            throw DeviceError(.invalidArgument, "\(first) does not exist; the device has zones 0 to \(geometry.zoneCount - 1)")
        }
        if let count, count < 0 { throw DeviceError(.invalidArgument, "a zone count cannot be negative (\(count))") }
        let end = first.rawValue + min(count ?? geometry.zoneCount, geometry.zoneCount - first.rawValue)
        var zones: [ZoneDescriptor] = []
        zones.reserveCapacity(max(0, end - first.rawValue))
        var next = first.rawValue
        while next < end {
            var page: [ZoneDescriptor] = []
            try perform(.reportZones(from: ZoneID(next), limit: zonesPerCommand), inspect: { buffer throws(DeviceError) in
                page = try buffer.withUnsafeBytes { bytes throws(DeviceError) in try ZoneReportFormat.parse(bytes, geometry: geometry) }
            })
            guard !page.isEmpty else {
                throw DeviceError(.deviceStatus, "Report Zones from zone \(next) returned no zones although the device has \(geometry.zoneCount)")
            }
            zones.append(contentsOf: page.prefix(end - next))
            next += page.count
        }
        return zones
    }

    /// Describes one zone.
    public func describe(_ zone: ZoneID) throws(DeviceError) -> ZoneDescriptor {
        try reportZones(from: zone, count: 1)[0]
    }
}
