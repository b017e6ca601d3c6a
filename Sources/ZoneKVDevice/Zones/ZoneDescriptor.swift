/// One zone as Report Zones describes it.
public struct ZoneDescriptor: Hashable, Sendable {
    /// Which zone this is.
    public var zone: ZoneID
    /// The zone's state.
    public var state: ZoneState
    /// The zone's first logical block (ZSLBA).
    public var start: BlockAddress
    /// Writable logical blocks in the zone (ZCAP).
    public var capacity: UInt64
    /// The next block a write must target, or `nil` where the zone has no valid write pointer
    /// (full, read-only and offline zones).
    public var writePointer: BlockAddress?
    /// The device recommends resetting the zone (RZR).
    public var isResetRecommended: Bool
    /// The device recommends finishing the zone (FZR).
    public var isFinishRecommended: Bool

    public init(
        zone: ZoneID, state: ZoneState, start: BlockAddress, capacity: UInt64, writePointer: BlockAddress?,
        isResetRecommended: Bool = false, isFinishRecommended: Bool = false
    ) {
        self.zone = zone
        self.state = state
        self.start = start
        self.capacity = capacity
        self.writePointer = writePointer
        self.isResetRecommended = isResetRecommended
        self.isFinishRecommended = isFinishRecommended
    }

    /// Logical blocks written so far: the write pointer's distance from the zone start, or the
    /// whole capacity for a full zone.
    public var writtenBlocks: UInt64 {
        if let writePointer { return writePointer.rawValue - start.rawValue }
        return state == .full ? capacity : 0
    }

    /// Logical blocks that can still be written.
    public var remainingBlocks: UInt64 { state.isWritable ? capacity - writtenBlocks : 0 }
}
