/// An append unit from the moment the leader starts filling it until it retires.
struct InFlightUnit {
    enum Outcome {
        case building
        case inFlight
        case written(BlockAddress)
        case failed(StoreError)
    }

    /// A record placed in the unit: the writer's record, and where and how it was stored.
    struct Record {
        var pending: PendingRecord
        /// The flags as stored: `.compressed` added when LZ4 was kept.
        var storedFlags: RecordFlags
        /// Offset of the stored value from the unit's start.
        var valueOffset: Int
        var storedLength: Int
    }

    var tag: CommandTag?
    var sequence: UInt64 = 0
    var stream = WriteStream.user
    var zone = -1
    var blocks = 0
    var outcome = Outcome.building
    var records: [Record] = []
    /// Operations whose last record (or whose barrier) is in this unit.
    var completes: [WriteWaiter] = []

    var isDone: Bool {
        switch outcome {
        case .written, .failed: true
        case .building, .inFlight: false
        }
    }
}

/// Units in sequence order, oldest first, in a fixed circular buffer: units retire strictly in
/// this order, whatever order their appends complete in. Element storage (and each unit's
/// record arrays) is reused, so steady-state writes allocate nothing here.
struct UnitRing {
    private var units: [InFlightUnit]
    private var head = 0
    private(set) var count = 0
    /// Ring position of the unit on each command slot.
    private var positionByTag: [Int]

    init(capacity: Int, tags: Int) {
        units = Array(repeating: InFlightUnit(), count: capacity)
        positionByTag = Array(repeating: -1, count: tags)
    }

    var isEmpty: Bool { count == 0 }
    var isFull: Bool { count == units.count }

    /// Starts a unit on `tag` at the tail and returns its position.
    mutating func append(tag: CommandTag, sequence: UInt64) -> Int {
        precondition(!isFull, "unit ring overflow")
        let position = (head + count) % units.count
        units[position].tag = tag
        units[position].sequence = sequence
        units[position].zone = -1
        units[position].blocks = 0
        units[position].outcome = .building
        units[position].records.removeAll(keepingCapacity: true)
        units[position].completes.removeAll(keepingCapacity: true)
        positionByTag[tag.index] = position
        count += 1
        return position
    }

    /// The position of the unit on `tag`.
    func position(of tag: CommandTag) -> Int { positionByTag[tag.index] }

    /// Position of the newest unit, if any.
    var newestPosition: Int? { count == 0 ? nil : (head + count - 1) % units.count }

    /// Position of the oldest unit, if any.
    var oldestPosition: Int? { count == 0 ? nil : head }

    subscript(position: Int) -> InFlightUnit {
        get { units[position] }
        _modify { yield &units[position] }
    }

    /// Drops the oldest unit, keeping its storage for reuse.
    mutating func removeOldest() {
        units[head].records.removeAll(keepingCapacity: true)
        units[head].completes.removeAll(keepingCapacity: true)
        head = (head + 1) % units.count
        count -= 1
    }

    /// Positions from oldest to newest.
    var positions: [Int] { (0..<count).map { (head + $0) % units.count } }
}
