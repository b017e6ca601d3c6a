/// How a store is opened. The defaults suit most uses; every option is checked at open time.
public struct StoreOptions: Hashable, Sendable {
    /// What to do when the device holds no store yet.
    public enum Creation: Hashable, Sendable {
        /// Open an existing store only; an empty device is an error (`.notFormatted`).
        case openExisting
        /// Create the store if the device is empty, or, for an emulated device path that does not
        /// exist, create the device file too (with `emulatedGeometry`).
        case createIfMissing
    }

    /// Value compression.
    public enum Compression: Hashable, Sendable {
        /// Store values as given.
        case none
        /// LZ4-compress values of at least `minimumBytes`, keeping the compressed form only when
        /// it is smaller.
        case lz4(minimumBytes: Int = 64)
    }

    public var creation: Creation = .createIfMissing
    /// The geometry of an emulated device file created by `.createIfMissing` or `format`: by
    /// default 64 zones of 96 MiB (80 MiB writable, 5 GiB in all, a sparse file that takes
    /// space as it fills) with 512-byte blocks, so small records waste little padding.
    public var emulatedGeometry = StoreOptions.defaultEmulatedGeometry

    public static var defaultEmulatedGeometry: EmulatedGeometry {
        var geometry = EmulatedGeometry()
        geometry.blockSize = 512
        geometry.zoneCount = 64
        return geometry
    }
    /// I/O path options of the device (registered files, fixed buffers, polling).
    public var device = DeviceOptions()
    public var compression: Compression = .lz4()
    /// Bytes of values the read cache may hold.
    public var cacheBytes = 128 << 20
    /// Append units that may be in flight at once.
    public var appendsInFlight = 16
    /// Make every write durable across power loss before it returns (a device flush per group
    /// commit). Off by default: a write returns once its append completed, and `sync()` makes
    /// everything before it durable.
    public var syncEveryWrite = false
    /// Collect garbage on a background thread whenever free zones fall to
    /// `collectionFreeZones`. Without it, space is reclaimed only by writes that find the device
    /// full (they collect, then go on) and by ``Store/collectGarbage()``.
    public var backgroundCollection = true
    /// Free zones below which background collection runs (`nil`: a sixteenth of the zones, at
    /// least two).
    public var collectionFreeZones: Int? = nil
    /// Write a checkpoint of the index once this many bytes were appended since the last one
    /// (`nil`: not by bytes). A checkpoint lets an open skip reading the log before it.
    public var checkpointAfterBytes: Int? = 1 << 30
    /// Write a checkpoint once this many seconds passed since the last one, if anything was
    /// written meanwhile (`nil`: not by time).
    public var checkpointAfterSeconds: Double? = 600
    /// Write a checkpoint when the store closes, if anything changed since the last one, so the
    /// next open reads no log at all.
    public var checkpointOnClose = true
    /// Ignore checkpoints at open and rebuild the index from the whole log: slower, for when a
    /// checkpoint is suspected to be wrong.
    public var rebuildIndexFromLog = false

    public init(
        creation: Creation = .createIfMissing, compression: Compression = .lz4(), cacheBytes: Int = 128 << 20,
        syncEveryWrite: Bool = false, device: DeviceOptions = DeviceOptions()
    ) {
        self.creation = creation
        self.compression = compression
        self.cacheBytes = cacheBytes
        self.syncEveryWrite = syncEveryWrite
        self.device = device
    }

    func validate() throws(StoreError) {
        guard cacheBytes >= 0 else { throw StoreError(.invalidOption, "cacheBytes cannot be negative (\(cacheBytes)); use 0 for no cache") }
        guard (1...256).contains(appendsInFlight) else {
            throw StoreError(.invalidOption, "appendsInFlight must be between 1 and 256, not \(appendsInFlight)")
        }
        if let collectionFreeZones, collectionFreeZones < 1 {
            throw StoreError(.invalidOption, "collectionFreeZones must be at least 1, not \(collectionFreeZones)")
        }
        if let checkpointAfterBytes, checkpointAfterBytes < 1 {
            throw StoreError(.invalidOption, "checkpointAfterBytes must be at least 1, not \(checkpointAfterBytes); use nil for no checkpoints by bytes")
        }
        if let checkpointAfterSeconds, !(checkpointAfterSeconds > 0) {
            throw StoreError(
                .invalidOption, "checkpointAfterSeconds must be more than 0, not \(checkpointAfterSeconds); use nil for no checkpoints by time")
        }
        if case let .lz4(minimumBytes) = compression, minimumBytes < 0 {
            throw StoreError(.invalidOption, "the LZ4 minimum value size cannot be negative (\(minimumBytes))")
        }
    }

    /// The smallest value worth compressing, or `nil` when compression is off.
    var compressionThreshold: Int? {
        if case let .lz4(minimumBytes) = compression { return max(minimumBytes, 1) }
        return nil
    }
}
