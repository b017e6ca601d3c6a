/// Where a key's latest record lives, packed into 24 bytes so that ten million keys fit in
/// well under 40 bytes each plus the key bytes.
///
/// ```
/// word 0: key page (24 bits) | key offset in page (20 bits) | stored length (20 bits)
/// word 1: zone (22 bits) | byte offset in zone (40 bits) | flags (2 bits)
/// word 2: sequence number, low 40 bits | key hint (24 bits)
/// ```
/// The key hint is the three key bytes that follow the prefix every key of the entry's chunk
/// shares: binary search within a chunk compares hints and follows a key into the arena only
/// on a tie. Stored lengths are at most 1 MiB: larger values are written as chunks and indexed
/// through a small descriptor record.
struct IndexEntry: Hashable, Sendable {
    private var keyAndLength: UInt64
    private var place: UInt64
    private var sequenceAndHint: UInt64

    static let maxStoredLength = (1 << 20) - 1
    static let maxZone = (1 << 22) - 1
    static let maxZoneOffset: UInt64 = (1 << 40) - 1
    /// Sequence numbers are kept modulo 2^40 (a trillion writes), enough to check a record read back.
    static let sequenceMask: UInt64 = (1 << 40) - 1

    init(key: KeyReference, location: RecordLocation, sequence: UInt64, hint: UInt32 = 0) {
        precondition(key.page < 1 << 24 && key.offset < 1 << 20, "key arena overflow")
        precondition(location.storedLength <= IndexEntry.maxStoredLength, "stored length \(location.storedLength) over 1 MiB")
        precondition(location.zone <= IndexEntry.maxZone && location.offset <= IndexEntry.maxZoneOffset, "location out of range")
        keyAndLength = UInt64(key.page) << 40 | UInt64(key.offset) << 20 | UInt64(location.storedLength)
        place = UInt64(location.zone) << 42 | location.offset << 2 | UInt64(location.flags & 0x3)
        sequenceAndHint = (sequence & IndexEntry.sequenceMask) << 24 | UInt64(hint & 0xFF_FFFF)
    }

    var key: KeyReference {
        KeyReference(page: Int(keyAndLength >> 40), offset: Int((keyAndLength >> 20) & 0xF_FFFF))
    }

    var location: RecordLocation {
        RecordLocation(
            zone: Int(place >> 42), offset: (place >> 2) & IndexEntry.maxZoneOffset,
            storedLength: Int(keyAndLength & 0xF_FFFF), flags: UInt8(place & 0x3))
    }

    /// The record's sequence number, modulo 2^40.
    var sequence: UInt64 { sequenceAndHint >> 24 }

    /// The key hint (see the type's description).
    var hint: UInt32 { UInt32(truncatingIfNeeded: sequenceAndHint & 0xFF_FFFF) }

    /// The same key at a new location.
    func moved(to location: RecordLocation, sequence: UInt64) -> IndexEntry {
        IndexEntry(key: key, location: location, sequence: sequence, hint: hint)
    }

    /// The same entry with another hint (its chunk's shared prefix changed).
    func withHint(_ hint: UInt32) -> IndexEntry {
        var entry = self
        entry.sequenceAndHint = sequenceAndHint & ~0xFF_FFFF | UInt64(hint & 0xFF_FFFF)
        return entry
    }
}

/// Where a record's value is on the device.
struct RecordLocation: Hashable, Sendable {
    var zone: Int
    /// Byte offset of the value from the zone start.
    var offset: UInt64
    /// Bytes of the value as stored (compressed, if it is).
    var storedLength: Int
    /// Bit 0: compressed; bit 1: a large-value descriptor.
    var flags: UInt8
}

extension RecordLocation {
    static let compressedFlag: UInt8 = 1 << 0
    static let largeValueFlag: UInt8 = 1 << 1

    var isCompressed: Bool { flags & Self.compressedFlag != 0 }
    var isLargeValue: Bool { flags & Self.largeValueFlag != 0 }

    init(zone: Int, offset: UInt64, storedLength: Int, recordFlags: RecordFlags) {
        var flags: UInt8 = 0
        if recordFlags.contains(.compressed) { flags |= Self.compressedFlag }
        if recordFlags.contains(.largeValue) { flags |= Self.largeValueFlag }
        self.init(zone: zone, offset: offset, storedLength: storedLength, flags: flags)
    }
}
