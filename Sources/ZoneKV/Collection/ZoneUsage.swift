/// What each zone holds, as garbage collection needs to know it: bytes of live records, its
/// oldest put, its newest unit, and whether it is sealed (a candidate victim). Kept in
/// `EngineState` under the engine lock.
struct ZoneUsage {
    /// Bytes of records the index points at (record header, key and stored value; for a large
    /// value, its descriptor record and its chunks).
    private(set) var liveBytes: [Int]
    /// The chunks of each live large value, by where its descriptor is: their bytes are live
    /// in their own zones, and stop being live with the descriptor.
    private(set) var largeValueChunks: [RecordLocation: [LargeValueDescriptor.Chunk]] = [:]
    /// Lowest sequence number of a put in the zone (`UInt64.max` when it holds none): what
    /// decides whether a tombstone elsewhere still hides something.
    private(set) var lowestPutSequence: [UInt64]
    /// The unit sequence number of the zone's newest unit (0 when none). Unit sequence numbers
    /// follow the order units were written in, copies included (a copy keeps its record's old
    /// sequence number, so record sequence numbers would make a zone of fresh copies look old).
    private(set) var newestUnit: [UInt64]
    /// The id of the newest checkpoint with units in the zone (0 when none). Such metadata
    /// zones are never collected: a newer checkpoint frees them once it is durable.
    private(set) var checkpoint: [UInt64]
    /// Zones full or finished, not being appended to: the ones collection may take.
    var sealed: [Bool]
    /// Zones collection failed to read (a media error, or the zone went offline): left alone
    /// until the store is opened again, so one bad zone does not stop collection of the others.
    var unreadable: [Bool]
    /// Bytes the relocation stream's zone can still take (0 when it has none).
    var relocationRoomBytes = 0

    init(zoneCount: Int) {
        liveBytes = Array(repeating: 0, count: zoneCount)
        lowestPutSequence = Array(repeating: .max, count: zoneCount)
        newestUnit = Array(repeating: 0, count: zoneCount)
        checkpoint = Array(repeating: 0, count: zoneCount)
        sealed = Array(repeating: false, count: zoneCount)
        unreadable = Array(repeating: false, count: zoneCount)
    }

    /// Bytes a record takes in its unit.
    static func recordBytes(_ location: RecordLocation, keyCount: Int) -> Int {
        AppendUnitFormat.recordBytes(keyCount: keyCount, valueCount: location.storedLength)
    }

    /// Notes a record of unit `unitSequence` written to `zone`. A checkpoint's records carry
    /// the checkpoint's id as their sequence number.
    mutating func noteWritten(_ type: RecordType, zone: Int, sequence: UInt64, unitSequence: UInt64) {
        if type == .put && sequence < lowestPutSequence[zone] { lowestPutSequence[zone] = sequence }
        if type.isCheckpoint && sequence > checkpoint[zone] { checkpoint[zone] = sequence }
        if unitSequence > newestUnit[zone] { newestUnit[zone] = unitSequence }
    }

    /// Sets what a checkpoint recorded for a zone whose units before the cut are not read again.
    mutating func restore(zone: Int, lowestPutSequence: UInt64, newestUnit: UInt64) {
        self.lowestPutSequence[zone] = lowestPutSequence
        self.newestUnit[zone] = newestUnit
    }

    /// Sealed metadata zones holding only checkpoints older than `id`.
    func checkpointZones(olderThan id: UInt64) -> [Int] {
        checkpoint.indices.filter { checkpoint[$0] != 0 && checkpoint[$0] < id && sealed[$0] }
    }

    /// Counts a record the index now points at; for a large value, `descriptor` (its value)
    /// names the chunks that count too.
    mutating func addLive(_ location: RecordLocation, keyCount: Int, descriptor: [UInt8]? = nil) {
        let chunks = location.isLargeValue ? descriptor.flatMap(LargeValueDescriptor.init(decoding:))?.chunks : nil
        addLive(location, keyCount: keyCount, chunks: chunks ?? [])
    }

    mutating func addLive(_ location: RecordLocation, keyCount: Int, chunks: [LargeValueDescriptor.Chunk]) {
        liveBytes[location.zone] += Self.recordBytes(location, keyCount: keyCount)
        guard location.isLargeValue, !chunks.isEmpty else { return }
        largeValueChunks[location] = chunks
        for chunk in chunks { liveBytes[chunk.zone] += AppendUnitFormat.recordBytes(keyCount: keyCount, valueCount: chunk.byteCount) }
    }

    mutating func removeLive(_ location: RecordLocation, keyCount: Int) {
        liveBytes[location.zone] -= Self.recordBytes(location, keyCount: keyCount)
        guard location.isLargeValue, let chunks = largeValueChunks.removeValue(forKey: location) else { return }
        for chunk in chunks { liveBytes[chunk.zone] -= AppendUnitFormat.recordBytes(keyCount: keyCount, valueCount: chunk.byteCount) }
    }

    /// The zone was reset: it holds nothing.
    mutating func reset(_ zone: Int) {
        liveBytes[zone] = 0
        lowestPutSequence[zone] = .max
        newestUnit[zone] = 0
        checkpoint[zone] = 0
        sealed[zone] = false
        unreadable[zone] = false
    }

    /// Whether a zone other than `zone` may hold a put older than `sequence`: then a tombstone
    /// of that sequence must be kept, or an older value of its key could come back.
    func olderPutsMayRemain(before sequence: UInt64, outside zone: Int) -> Bool {
        lowestPutSequence.indices.contains { $0 != zone && lowestPutSequence[$0] < sequence }
    }

    /// Bytes of live records in all zones.
    var totalLiveBytes: Int { liveBytes.reduce(0, +) }
}
