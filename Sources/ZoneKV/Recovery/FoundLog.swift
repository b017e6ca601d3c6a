import ZoneKVDevice

/// The records recovery found in the log, gathered zone by zone and then applied in sequence
/// order. Keys live in one shared pool.
struct FoundLog {
    /// One record found in the log.
    private struct Record {
        var sequence: UInt64
        var unitSequence: UInt64
        var ordinal: Int
        var type: RecordType
        var flags: RecordFlags
        var keyStart: Int
        var keyCount: Int
        var location: RecordLocation
        /// A batch commit's record count.
        var batchCount: Int
        /// The tag of the store that wrote the record's unit.
        var storeTag: UInt32
        /// Whether the record is applied, or only noted for its zone (a unit before a
        /// checkpoint's cut, read because its zone is read from the start).
        var isReplayed: Bool
        /// For a large value's put, where its descriptor is in `descriptors`.
        var descriptor: Range<Int>?
    }

    private var records: [Record] = []
    private var keys: [UInt8] = []
    /// Descriptors of large values, whose chunks count as live.
    private var descriptors: [UInt8] = []
    /// Store headers found.
    private(set) var identities: [StoreIdentity] = []
    private(set) var zonesWithData = 0

    /// Zones in which an intact unit of the store tagged `storeTag` was found (before `apply`).
    func zonesHoldingUnits(of storeTag: UInt32) -> Set<Int> {
        Set(records.lazy.filter { $0.storeTag == storeTag }.map(\.location.zone))
    }

    /// Reads `zone` from `startBlock` to its end and gathers its intact units' records. Units
    /// before `replayFromUnit` are only noted.
    mutating func read(
        _ zone: ZoneDescriptor, from startBlock: UInt64, on queue: DeviceQueue, into report: inout LogRecovery.Report,
        replayFromUnit: UInt64
    ) throws(StoreError) {
        let end = LogRecovery.blocksToScan(zone)
        if end > 0 { zonesWithData += 1 }
        guard end > startBlock else { return }
        let bytes: [UInt8]
        do throws(DeviceError) {
            bytes = try queue.read(from: zone.start.advanced(by: startBlock), blockCount: Int(end - startBlock))
        } catch {
            throw StoreError(error, during: "reading zone \(zone.zone.rawValue) to recover the store")
        }
        let blockSize = queue.geometry.blockSize
        let (units, skipped) = bytes.withUnsafeBytes { AppendUnitDecoder.scanZone($0, blockSize: blockSize) }
        report.skippedBlocks += skipped
        if units.isEmpty && startBlock == 0 { try Self.checkFormatVersion(bytes, zone: zone.zone.rawValue) }
        let zoneOffset = startBlock * UInt64(blockSize)
        for unit in units where unit.stream != .metadata {
            let replayed = unit.sequence >= replayFromUnit
            if replayed {
                report.units += 1
                report.unitBytes += unit.paddedBytes
            }
            for (ordinal, record) in unit.records.enumerated() {
                if replayed, record.type == .storeHeader,
                    let identity = bytes.withUnsafeBytes({ StoreIdentity(headerValue: UnsafeRawBufferPointer(rebasing: $0[record.value])) })
                {
                    identities.append(identity)
                }
                let keyStart = keys.count
                if replayed { keys.append(contentsOf: bytes[record.key]) }
                var descriptor: Range<Int>?
                if replayed, record.type == .put, record.flags.contains(.largeValue) {
                    descriptor = descriptors.count..<descriptors.count + record.value.count
                    descriptors.append(contentsOf: bytes[record.value])
                }
                var batchCount = 0
                if record.type == .batchCommit, record.value.count == 4 {
                    batchCount = Int(bytes.withUnsafeBytes { $0.loadLittleEndian(at: record.value.lowerBound, as: UInt32.self) })
                }
                records.append(
                    Record(
                        sequence: record.sequence, unitSequence: unit.sequence, ordinal: ordinal, type: record.type, flags: record.flags,
                        keyStart: keyStart, keyCount: replayed ? record.key.count : 0,
                        location: RecordLocation(
                            zone: zone.zone.rawValue, offset: zoneOffset + UInt64(record.value.lowerBound), storedLength: record.value.count,
                            recordFlags: record.flags),
                        batchCount: batchCount, storeTag: unit.storeTag, isReplayed: replayed, descriptor: descriptor))
            }
        }
    }

    /// A zone full of units of another format version is not garbage: say so.
    private static func checkFormatVersion(_ bytes: [UInt8], zone: Int) throws(StoreError) {
        guard bytes.count >= AppendUnitFormat.headerBytes else { return }
        let magic = bytes.withUnsafeBytes { $0.loadLittleEndian(at: 0, as: UInt32.self) }
        let version = bytes[AppendUnitFormat.HeaderField.version]
        if magic == AppendUnitFormat.magic && version != AppendUnitFormat.version {
            throw StoreError(
                .unsupportedFormat,
                "zone \(zone) holds ZoneKV format version \(version); this build reads version \(AppendUnitFormat.version). Use a matching ZoneKV release")
        }
    }

    // MARK: Applying

    /// Applies the records of store `storeTag` (others are an older store's) in sequence order.
    /// On top of a checkpoint (`checkingSequences`), a record older than the key's entry is
    /// skipped: a copy collection made after the cut of a value overwritten before it.
    mutating func apply(to state: EngineState, storeTag: UInt32?, checkingSequences: Bool, report: inout LogRecovery.Report) {
        if let storeTag {
            let all = records.count
            records.removeAll { $0.storeTag != storeTag }
            report.foreignRecords = all - records.count
        }
        for record in records {
            state.zoneUsage.noteWritten(record.type, zone: record.location.zone, sequence: record.sequence, unitSequence: record.unitSequence)
            guard record.isReplayed else { continue }
            report.nextSequence = max(report.nextSequence, record.sequence + 1)
            report.nextUnitSequence = max(report.nextUnitSequence, record.unitSequence + 1)
        }
        records.removeAll { !$0.isReplayed }
        report.records = records.count
        records.sort { ($0.sequence, $0.unitSequence, $0.ordinal) < ($1.sequence, $1.unitSequence, $1.ordinal) }

        func key(_ record: Record) -> [UInt8] { Array(keys[record.keyStart..<record.keyStart + record.keyCount]) }
        func applyOne(_ record: Record) {
            guard record.type == .put || record.type == .delete else { return }
            let key = key(record)
            if checkingSequences, let entry = state.index.entry(for: key), entry.sequence > record.sequence & IndexEntry.sequenceMask {
                return
            }
            if record.type == .put {
                state.applyPut(key, at: record.location, sequence: record.sequence, value: record.descriptor.map { Array(descriptors[$0]) })
            } else {
                state.applyDelete(key)
            }
        }
        var position = 0
        while position < records.count {
            let record = records[position]
            guard record.flags.contains(.inBatch) || record.type == .batchCommit else {
                applyOne(record)
                position += 1
                continue
            }
            // A batch: every record with this sequence number. Copies made by collection count
            // on their own, after the originals (they sort after them); a batch with any copy
            // was committed, since only committed records are copied.
            var end = position
            while end < records.count && records[end].sequence == record.sequence { end += 1 }
            let group = records[position..<end]
            let members = group.filter { $0.flags.contains(.inBatch) }
            let copies = group.filter { $0.flags.contains(.relocated) && $0.type != .batchCommit }
            let commit = group.first { $0.type == .batchCommit }
            let committed = commit.map { $0.batchCount == members.count } ?? false
            if committed || !copies.isEmpty {
                members.forEach(applyOne)
            } else if !members.isEmpty {
                report.incompleteBatches += 1
                state.failedBatches.insert(record.sequence)
            }
            copies.forEach(applyOne)
            position = end
        }
    }
}
