/// Rebuilds the index from the log at open: every zone is read up to its write pointer, every
/// intact append unit decoded, and the records applied in sequence order, because Zone Append
/// places units in completion order, not in the order they were written.
///
/// A torn or partial unit at a zone's tail fails its checksum and is skipped. A batch counts
/// only when its commit record is found with the batch's full record count.
enum LogRecovery {
    /// What recovery found.
    struct Report {
        var zones: [ZoneDescriptor]
        var units = 0
        var records = 0
        /// Blocks skipped because they held no intact unit (torn appends).
        var skippedBlocks = 0
        /// Batches dropped because not all their records were found.
        var incompleteBatches = 0
        /// The store the device holds: that of the newest store header found.
        var identity: StoreIdentity?
        /// Records left out because an older store on the device wrote them (read-only zones
        /// keep them through a format).
        var foreignRecords = 0
        var nextSequence: UInt64 = 1
        var nextUnitSequence: UInt64 = 1
        /// No zone holds any data.
        var deviceIsEmpty: Bool { zones.allSatisfy { $0.writtenBlocks == 0 } }
    }

    /// One record found in the log, with its key in a shared pool.
    private struct FoundRecord {
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
    }

    static func recover(
        on queue: DeviceQueue, into state: EngineState
    ) throws(StoreError) -> Report {
        let geometry = queue.geometry
        let zones: [ZoneDescriptor]
        do throws(DeviceError) { zones = try queue.reportZones() } catch { throw StoreError(error, during: "reporting zones") }
        var report = Report(zones: zones)
        var found: [FoundRecord] = []
        var keys: [UInt8] = []
        var zonesWithData = 0
        var identities: [StoreIdentity] = []
        for zone in zones where blocksToScan(zone) > 0 {
            zonesWithData += 1
            let bytes: [UInt8]
            do throws(DeviceError) {
                bytes = try queue.read(from: zone.start, blockCount: Int(blocksToScan(zone)))
            } catch {
                throw StoreError(error, during: "reading zone \(zone.zone.rawValue) to recover the store")
            }
            let (units, skipped) = bytes.withUnsafeBytes { AppendUnitDecoder.scanZone($0, blockSize: geometry.blockSize) }
            report.skippedBlocks += skipped
            if units.isEmpty { try checkFormatVersion(bytes, zone: zone.zone.rawValue) }
            for unit in units {
                report.units += 1
                for (ordinal, record) in unit.records.enumerated() {
                    if record.type == .storeHeader,
                        let identity = bytes.withUnsafeBytes({ StoreIdentity(headerValue: UnsafeRawBufferPointer(rebasing: $0[record.value])) })
                    {
                        identities.append(identity)
                    }
                    let keyStart = keys.count
                    keys.append(contentsOf: bytes[record.key])
                    var batchCount = 0
                    if record.type == .batchCommit, record.value.count == 4 {
                        batchCount = Int(bytes.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: record.value.lowerBound, as: UInt32.self)) })
                    }
                    found.append(
                        FoundRecord(
                            sequence: record.sequence, unitSequence: unit.sequence, ordinal: ordinal, type: record.type,
                            flags: record.flags, keyStart: keyStart, keyCount: record.key.count,
                            location: RecordLocation(
                                zone: zone.zone.rawValue, offset: UInt64(record.value.lowerBound), storedLength: record.value.count,
                                recordFlags: record.flags),
                            batchCount: batchCount, storeTag: unit.storeTag))
                }
            }
        }
        if zonesWithData > 0 && report.units == 0 {
            throw StoreError(
                .notAStore,
                "the device holds data in \(zonesWithData) zones but no ZoneKV log; it is not a ZoneKV store. Formatting it (zonekv format, or Store.format) erases that data")
        }
        // Only the newest store's records count.
        report.identity = identities.max { $0.generation < $1.generation }
        if let identity = report.identity {
            let all = found.count
            found.removeAll { $0.storeTag != identity.tag }
            report.foreignRecords = all - found.count
        }
        for record in found {
            report.nextSequence = max(report.nextSequence, record.sequence + 1)
            report.nextUnitSequence = max(report.nextUnitSequence, record.unitSequence + 1)
        }
        report.records = found.count
        found.sort { ($0.sequence, $0.unitSequence, $0.ordinal) < ($1.sequence, $1.unitSequence, $1.ordinal) }
        apply(found, keys: keys, to: state, report: &report)
        return report
    }

    /// Blocks of a zone that may hold log: up to the write pointer; a read-only zone has no
    /// valid write pointer, so all of its capacity (the checksums tell log from the rest). An
    /// offline zone cannot be read at all.
    private static func blocksToScan(_ zone: ZoneDescriptor) -> UInt64 {
        switch zone.state {
        case .offline, .empty: 0
        case .readOnly: zone.writePointer == nil ? zone.capacity : zone.writtenBlocks
        default: zone.writtenBlocks
        }
    }

    /// A zone full of units of another format version is not garbage: say so.
    private static func checkFormatVersion(_ bytes: [UInt8], zone: Int) throws(StoreError) {
        guard bytes.count >= AppendUnitFormat.headerBytes else { return }
        let magic = bytes.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self)) }
        let version = bytes[AppendUnitFormat.HeaderField.version]
        if magic == AppendUnitFormat.magic && version != AppendUnitFormat.version {
            throw StoreError(
                .unsupportedFormat,
                "zone \(zone) holds ZoneKV format version \(version); this build reads version \(AppendUnitFormat.version). Use a matching ZoneKV release")
        }
    }

    private static func apply(_ found: [FoundRecord], keys: [UInt8], to state: EngineState, report: inout Report) {
        func key(_ record: FoundRecord) -> [UInt8] { Array(keys[record.keyStart..<record.keyStart + record.keyCount]) }
        func applyOne(_ record: FoundRecord) {
            switch record.type {
            case .put: state.applyPut(key(record), at: record.location, sequence: record.sequence, value: nil)
            case .delete: state.applyDelete(key(record))
            case .storeHeader, .batchCommit, .valueChunk: break
            }
        }
        for record in found {
            state.zoneUsage.noteWritten(record.type, zone: record.location.zone, sequence: record.sequence, unitSequence: record.unitSequence)
        }
        var position = 0
        while position < found.count {
            let record = found[position]
            guard record.flags.contains(.inBatch) || record.type == .batchCommit else {
                applyOne(record)
                position += 1
                continue
            }
            // A batch: every record with this sequence number, its commit last. Copies made by
            // collection count on their own, after the originals (they sort after them); a
            // batch with any copy was committed, since only committed records are copied.
            var end = position
            while end < found.count && found[end].sequence == record.sequence { end += 1 }
            let group = found[position..<end]
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
