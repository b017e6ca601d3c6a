/// One record waiting for the group-commit leader to pack it into an append unit. It holds the
/// caller's arrays (a retain, not a copy): the leader copies the bytes straight into a command
/// slot's buffer.
struct PendingRecord {
    var type: RecordType
    var flags: RecordFlags
    var sequence: UInt64
    var key: [UInt8]
    var value: [UInt8]
    /// The part of `value` this record stores (a chunk of a large value, or all of it).
    var valueRange: Range<Int>
    /// Whether LZ4 may be tried on the value.
    var mayCompress: Bool
    /// The operation the record belongs to.
    var waiter: WriteWaiter
    /// The operation's last record: the operation is done when this record's unit retires.
    var endsOperation: Bool
    /// The stream whose zone the record goes to.
    var stream: WriteStream = .user
    /// For a copy garbage collection makes of a live put: where the original is. The index
    /// moves to the copy only if it still points there.
    var relocatedFrom: RecordLocation? = nil
}

extension PendingRecord {
    /// A record storing all of `value`. A record of a batch does not end its operation (the
    /// batch's commit record does); any other record does.
    init(
        _ type: RecordType, flags: RecordFlags = [], sequence: UInt64, key: [UInt8], value: [UInt8] = [],
        mayCompress: Bool = false, waiter: WriteWaiter
    ) {
        self.init(
            type: type, flags: flags, sequence: sequence, key: key, value: value, valueRange: 0..<value.count,
            mayCompress: mayCompress, waiter: waiter, endsOperation: !flags.contains(.inBatch))
    }
}

/// What writers hand to the group-commit leader, in order.
enum PendingItem {
    case record(PendingRecord)
    /// An operation without records (`sync()`): done once everything queued before it is.
    case barrier(WriteWaiter)
    /// Garbage collection is done with a zone (its live records are copied and durable): reset
    /// it and make it free.
    case zoneReset(Int, WriteWaiter)
    /// Take a checkpoint's cut (its id is the operation's sequence number) once everything
    /// queued before it has retired; nothing queued after it starts until then.
    case checkpointCut(UInt64, WriteWaiter)

    var waiter: WriteWaiter {
        switch self {
        case let .record(record): record.waiter
        case let .barrier(waiter): waiter
        case let .zoneReset(_, waiter): waiter
        case let .checkpointCut(_, waiter): waiter
        }
    }
}
