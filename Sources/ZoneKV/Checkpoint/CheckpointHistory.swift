/// The checkpoints recovery may start from, kept in `EngineState`: the two newest durable
/// ones (a torn newest falls back to the one before) and the cut of one being written.
///
/// Collection asks it which tombstones it must keep: recovery from a checkpoint takes the
/// checkpoint's index as it was at the cut and replays only later units, so a tombstone written
/// after a cut is all that stops its key from coming back with the value the checkpoint names.
struct CheckpointHistory {
    struct Checkpoint: Hashable {
        var id: UInt64
        var replayFromUnit: UInt64
        /// Nanoseconds since 1970 at the cut.
        var cutTime: UInt64
    }

    /// Newest first; at most two.
    private(set) var durable: [Checkpoint] = []
    /// The replay point of a checkpoint whose cut is taken but which is not yet durable.
    private var inProgress: UInt64?
    /// Bytes appended (other than checkpoints) since the newest checkpoint's cut, or since the
    /// store opened when no checkpoint was written or loaded: what schedules the next one.
    var bytesSinceCut = 0

    var newest: Checkpoint? { durable.first }

    /// Units from this one on may be replayed on top of a checkpoint; `UInt64.max` when no
    /// checkpoint exists.
    var oldestReplayFromUnit: UInt64 {
        min(durable.map(\.replayFromUnit).min() ?? .max, inProgress ?? .max)
    }

    /// The write leader took a cut: from now on its replay point counts.
    mutating func cutTaken(replayFromUnit: UInt64) {
        inProgress = min(inProgress ?? .max, replayFromUnit)
        bytesSinceCut = 0
    }

    /// A checkpoint became durable (or was found at recovery). Returns the id below which
    /// checkpoints are no longer needed.
    @discardableResult
    mutating func add(_ checkpoint: Checkpoint) -> UInt64 {
        durable.insert(checkpoint, at: 0)
        durable.sort { $0.id > $1.id }
        if durable.count > 2 { durable.removeLast(durable.count - 2) }
        inProgress = nil
        return durable.last!.id
    }
}
