/// Which zones are free, which hold data, and which zone each write stream appends to, always
/// within the device's open and active zone limits. The group-commit leader owns it.
///
/// A stream keeps appending to its zone while a whole append unit still fits; then the zone
/// drains (its appends in flight complete), is finished with Zone Finish if capacity is left
/// over (so it stops counting against the limits), and the stream takes a free zone.
struct ZoneAllocator {
    enum Use: Equatable {
        case free
        case appending(WriteStream)
        /// No more appends; waiting for those in flight, then for Zone Finish.
        case draining
        /// Written and closed for appends (full or finished).
        case sealed
        /// Read-only, offline, or failed a write: never appended to again.
        case unusable
    }

    enum Placement: Equatable {
        /// The stream's zone has room for the unit.
        case ready
        /// Every zone the limits allow is in use: reap completions (and finish drained zones) first.
        case mustWait
        /// No free zone is left.
        case deviceFull
    }

    let geometry: DeviceGeometry
    /// Zones that may be open or active at once.
    let activeLimit: Int
    /// Free zones the user stream leaves to the relocation stream, so garbage collection can
    /// always copy a victim's live records somewhere and free it.
    let relocationReserve: Int
    private(set) var uses: [Use] { didSet { changes &+= 1 } }
    /// Counts changes to `uses`, so the leader republishes zone states only when they changed.
    private(set) var changes = 0
    /// Blocks taken from each zone's start: written plus reserved for appends in flight.
    private var takenBlocks: [UInt64]
    private var appendsInFlight: [Int]
    /// Zones where an append failed after taking its blocks: the device's write pointer may be
    /// below `takenBlocks` there.
    private var hadFailedAppend: [Bool]
    private var streamZone: [Int?] = [nil, nil, nil]
    private var freeZones: [Int]
    /// Zones drained with capacity left, waiting for Zone Finish.
    private(set) var zonesToFinish: [Int] = []
    /// Failed Zone Finish attempts of zones still draining.
    private var finishFailures: [Int: Int] = [:]
    /// Zones appending or draining: those that may be open or active on the device.
    private(set) var activeCount = 0

    /// Builds the allocator from a zone report at open: empty zones are free, full ones sealed,
    /// and a partly written zone goes on taking appends of the stream that wrote it
    /// (`streams`, per zone; one zone per stream), while the rest are queued for Zone Finish.
    init(geometry: DeviceGeometry, zones: [ZoneDescriptor], unitBlocks: Int, streams: [WriteStream?] = []) {
        self.geometry = geometry
        activeLimit = max(1, min(geometry.maxOpenZones ?? geometry.zoneCount, geometry.maxActiveZones ?? geometry.zoneCount))
        relocationReserve = geometry.zoneCount >= 4 ? 1 : 0
        uses = Array(repeating: .free, count: geometry.zoneCount)
        takenBlocks = Array(repeating: 0, count: geometry.zoneCount)
        appendsInFlight = Array(repeating: 0, count: geometry.zoneCount)
        hadFailedAppend = Array(repeating: false, count: geometry.zoneCount)
        freeZones = []
        for zone in zones {
            let index = zone.zone.rawValue
            takenBlocks[index] = zone.writtenBlocks
            switch zone.state {
            case .empty:
                uses[index] = .free
            case .full:
                uses[index] = .sealed
                sealedCount += 1
            case .readOnly, .offline:
                uses[index] = .unusable
            case .implicitlyOpened, .explicitlyOpened, .closed:
                activeCount += 1
                let stream = index < streams.count ? streams[index] : nil
                if let stream, streamZone[Int(stream.rawValue)] == nil, remainingBlocks(index) >= UInt64(unitBlocks) {
                    uses[index] = .appending(stream)
                    streamZone[Int(stream.rawValue)] = index
                } else {
                    uses[index] = .draining
                    zonesToFinish.append(index)
                }
            }
        }
        freeZones = (0..<geometry.zoneCount).filter { uses[$0] == .free }.reversed()
    }

    /// Free zones left.
    var freeCount: Int { freeZones.count }

    /// Zones sealed with data (kept as a count: it is read after every retired append).
    private(set) var sealedCount = 0

    private func remainingBlocks(_ zone: Int) -> UInt64 {
        geometry.zoneCapacity - min(geometry.zoneCapacity, takenBlocks[zone])
    }

    /// Makes sure `stream`'s zone can take a unit of up to `unitBlocks`, moving the stream to a
    /// free zone when its zone is too full.
    mutating func prepare(_ stream: WriteStream, unitBlocks: Int) -> Placement {
        let slot = Int(stream.rawValue)
        if let zone = streamZone[slot] {
            if remainingBlocks(zone) >= UInt64(unitBlocks) { return .ready }
            uses[zone] = .draining
            streamZone[slot] = nil
            drainIfIdle(zone)
        }
        let reserve = stream == .relocation ? 0 : relocationReserve
        guard freeZones.count > reserve, let next = freeZones.last else { return .deviceFull }
        guard activeCount < activeLimit else { return .mustWait }
        freeZones.removeLast()
        uses[next] = .appending(stream)
        streamZone[slot] = next
        activeCount += 1
        return .ready
    }

    /// Blocks `stream` can still append without taking a free zone.
    func roomBlocks(for stream: WriteStream) -> UInt64 {
        streamZone[Int(stream.rawValue)].map(remainingBlocks) ?? 0
    }

    /// Takes `blocks` in `stream`'s zone for a sealed unit and returns the zone.
    ///
    /// - Precondition: `prepare` returned `.ready` for a unit at least this large.
    mutating func reserve(_ blocks: Int, for stream: WriteStream) -> Int {
        guard let zone = streamZone[Int(stream.rawValue)], remainingBlocks(zone) >= UInt64(blocks) else {
            preconditionFailure("reserving \(blocks) blocks for \(stream) without a prepared zone")
        }
        takenBlocks[zone] += UInt64(blocks)
        appendsInFlight[zone] += 1
        return zone
    }

    /// An append to `zone` failed: its blocks may not have been written.
    mutating func appendFailed(in zone: Int) {
        hadFailedAppend[zone] = true
    }

    /// Where replay after a checkpoint cut must start in each zone, with no append in flight:
    /// the blocks written, or 0 where a failed append makes the count uncertain.
    var writtenBlocksForReplay: [UInt64] {
        takenBlocks.indices.map { hadFailedAppend[$0] ? 0 : takenBlocks[$0] }
    }

    /// An append to `zone` finished, successfully or not.
    mutating func appendFinished(in zone: Int) {
        appendsInFlight[zone] -= 1
        if uses[zone] == .draining { drainIfIdle(zone) }
    }

    private mutating func drainIfIdle(_ zone: Int) {
        guard appendsInFlight[zone] == 0 else { return }
        if remainingBlocks(zone) > 0 {
            if !zonesToFinish.contains(zone) { zonesToFinish.append(zone) }
        } else {
            uses[zone] = .sealed
            sealedCount += 1
            activeCount -= 1
        }
    }

    /// Takes the zones waiting for Zone Finish; call `finished(_:)` for each once done.
    mutating func takeZonesToFinish() -> [Int] {
        defer { zonesToFinish.removeAll() }
        return zonesToFinish
    }

    /// Zone Finish failed with an error that may pass: it is tried again at the next step, and
    /// after three failures the zone counts as sealed anyway. It takes no appends either way,
    /// and collection can still reset it, which closes it on the device too.
    mutating func finishFailed(_ zone: Int) {
        guard uses[zone] == .draining else { return }
        finishFailures[zone, default: 0] += 1
        if finishFailures[zone]! >= 3 {
            finishFailures[zone] = nil
            finished(zone)
        } else if !zonesToFinish.contains(zone) {
            zonesToFinish.append(zone)
        }
    }

    /// Zone Finish completed (or failed: the zone is not appended to again either way).
    mutating func finished(_ zone: Int) {
        guard uses[zone] == .draining else { return }
        uses[zone] = .sealed
        sealedCount += 1
        takenBlocks[zone] = geometry.zoneCapacity
        activeCount -= 1
    }

    /// Garbage collection reset a sealed zone: it is free again, taken after the zones already
    /// free (spreading writes over the device).
    mutating func reclaim(_ zone: Int) {
        guard uses[zone] == .sealed else { return }
        uses[zone] = .free
        sealedCount -= 1
        takenBlocks[zone] = 0
        hadFailedAppend[zone] = false
        freeZones.insert(zone, at: 0)
    }

    /// A write to `zone` failed in a way that says the zone is damaged: stop using it.
    mutating func retire(_ zone: Int) {
        let wasActive: Bool
        switch uses[zone] {
        case .appending(let stream):
            streamZone[Int(stream.rawValue)] = nil
            wasActive = true
        case .draining:
            zonesToFinish.removeAll { $0 == zone }
            wasActive = true
        case .sealed:
            sealedCount -= 1
            wasActive = false
        default:
            wasActive = false
        }
        uses[zone] = .unusable
        if wasActive { activeCount -= 1 }
    }
}
