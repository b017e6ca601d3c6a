import ZoneKVDevice

/// What tools look at: the zones as the store uses them, and a check that reads every zone and
/// every key's record back.
extension StoreEngine {
    /// Every zone: its use, written, live and garbage bytes.
    func zoneSummaries() throws(StoreError) -> [ZoneSummary] {
        let zones = try reportZones()
        let blockSize = device.geometry.blockSize
        return engine.withLock { state in
            zones.map { zone in
                let index = zone.zone.rawValue
                let use: ZoneSummary.Use
                switch state.zoneUses.indices.contains(index) ? state.zoneUses[index] : .free {
                case .free: use = .free
                case .appending(let stream): use = stream == .user ? .user : stream == .relocation ? .relocation : .checkpoint
                case .draining: use = .draining
                case .sealed: use = state.zoneUsage.checkpoint[index] != 0 ? .checkpoint : .sealed
                case .unusable: use = .unusable
                }
                return ZoneSummary(
                    zone: index, use: use, writtenBytes: Int(zone.writtenBlocks) * blockSize, capacityBytes: Int(zone.capacity) * blockSize,
                    liveBytes: state.zoneUsage.liveBytes[index])
            }
        }
    }

    /// Reads every zone and checks each append unit's checksum, then reads every key's record
    /// back and checks it against the index (key, type, sequence number, lengths, LZ4).
    func check(progress: (CheckProgress) -> Void) throws(StoreError) -> CheckReport {
        var report = CheckReport()
        let zones = try reportZones().filter { LogRecovery.blocksToScan($0) > 0 }
        for (position, zone) in zones.enumerated() {
            progress(CheckProgress(phase: "zones", fraction: Double(position) / Double(max(zones.count, 1))))
            let bytes = try reads.withQueue { queue throws(StoreError) in
                do throws(DeviceError) {
                    return try queue.read(from: zone.start, blockCount: Int(LogRecovery.blocksToScan(zone)))
                } catch {
                    throw StoreError(error, during: "reading zone \(zone.zone.rawValue)")
                }
            }
            let (units, skipped) = bytes.withUnsafeBytes { AppendUnitDecoder.scanZone($0, blockSize: device.geometry.blockSize) }
            report.zones += 1
            report.units += units.count
            report.records += units.reduce(0) { $0 + $1.records.count }
            report.unreadableBlocks += skipped
        }
        let keyCount = engine.withLock { $0.index.count }
        var start: [UInt8]? = nil
        while true {
            // A slice of keys per lock hold; each record is read with the lock released.
            var slice: [([UInt8], IndexEntry)] = []
            let changes = engine.withLock { state in
                state.index.forEach(from: start) { key, entry in
                    if slice.count == 256 { return false }
                    slice.append(([UInt8](key), entry))
                    return true
                }
                return state.index.changes
            }
            guard !slice.isEmpty else { break }
            if let last = slice.last?.0, slice.count == 256 { start = last + [0] } else { start = nil }
            for (key, entry) in slice {
                do throws(StoreError) {
                    _ = try readValue(of: key, at: entry, indexChanges: changes)
                    report.keysChecked += 1
                } catch {
                    report.damagedKeyCount += 1
                    if report.damagedKeys.count < 100 { report.damagedKeys.append("\(String(decoding: key, as: UTF8.self)): \(error.message)") }
                }
            }
            progress(CheckProgress(phase: "keys", fraction: Double(report.keysChecked + report.damagedKeyCount) / Double(max(keyCount, 1))))
            if start == nil { break }
        }
        progress(CheckProgress(phase: "keys", fraction: 1))
        return report
    }

    private func reportZones() throws(StoreError) -> [ZoneDescriptor] {
        try reads.withQueue { queue throws(StoreError) in
            do throws(DeviceError) { return try queue.reportZones() } catch { throw StoreError(error, during: "reporting zones") }
        }
    }
}
