import Foundation

/// The store's machinery behind a `Store` handle: the device, the index and cache, group
/// commit and the read queues. The handle drops its engine at close, and the device is released
/// once the last operation still using the engine returns.
final class StoreEngine: Sendable {
    /// The path the store was opened from.
    let path: String
    /// The device under the store.
    let device: ZonedDevice
    let options: StoreOptions
    /// The largest value this store takes: at least 64 MiB (it depends on the device's append limit).
    let maxValueBytes: Int
    /// What recovery found when the store was opened.
    let recovery: RecoverySummary

    /// Bytes of one append unit: the device's append limit, at most 1 MiB.
    let unitBytes: Int
    let engine: Guarded<EngineState>
    /// The engine state's value cache, reachable without the engine lock: it has its own.
    let cache: ShardedValueCache
    let writes: GroupCommit
    let reads: ReadQueuePool
    let reader: RecordReader
    /// Which store this is: its units carry the tag (others on the device are an older store's).
    let identity: StoreIdentity
    var storeTag: UInt32 { identity.tag }
    /// When the store was opened (what schedules a first checkpoint by time).
    let openedAt = Date()
    let collectionGate = SingleFlight<CollectionSummary>()
    let checkpointGate = SingleFlight<CheckpointSummary>()
    let maintenance: MaintenanceThread?

    private init(
        path: String, device: ZonedDevice, options: StoreOptions, unitBytes: Int, engine: Guarded<EngineState>,
        writes: GroupCommit, recovery: RecoverySummary, identity: StoreIdentity
    ) {
        self.identity = identity
        maintenance = MaintenanceThread(
            collectionFreeZones: options.backgroundCollection ? options.collectionFreeZones ?? max(2, device.geometry.zoneCount / 16) : nil,
            checkpoints: options.checkpointAfterBytes != nil || options.checkpointAfterSeconds != nil)
        self.path = path
        self.device = device
        self.options = options
        self.unitBytes = unitBytes
        self.engine = engine
        cache = engine.withLock { $0.cache }
        self.writes = writes
        self.recovery = recovery
        reads = ReadQueuePool(device: device, depth: 8, bufferBytes: unitBytes)
        reader = RecordReader(geometry: device.geometry, unitBytes: unitBytes)
        maxValueBytes = StoreEngine.largestValue(unitBytes: unitBytes)
    }

    // MARK: Opening and closing

    /// Opens the store on `path`, recovering its index from the log.
    ///
    /// With `.createIfMissing` (the default) a store is created on an empty device, and a missing
    /// emulated device file is created first with `options.emulatedGeometry`.
    ///
    /// - Throws: `StoreError` with `.notFormatted` (empty device, `.openExisting`), `.notAStore`,
    ///   `.unsupportedFormat`, `.geometryMismatch`, `.invalidOption`, or `.device` for what the device layer reports
    ///   (missing path, permissions, a device in use by another process).
    static func open(_ path: String, options: StoreOptions = StoreOptions()) throws(StoreError) -> StoreEngine {
        try options.validate()
        let device = try openDevice(path, options: options)
        return try open(device, options: options)
    }

    /// Creates a new, empty store on `path`, erasing the store the device held (every zone is
    /// reset). Data that is not a ZoneKV store of this format version is erased only with
    /// `erasingForeignData`. A missing emulated device file is created with
    /// `options.emulatedGeometry`.
    static func format(
        _ path: String, options: StoreOptions = StoreOptions(), erasingForeignData: Bool = false
    ) throws(StoreError) -> StoreEngine {
        try options.validate()
        var creating = options
        creating.creation = .createIfMissing
        let device = try openDevice(path, options: creating)
        let queue: DeviceQueue
        do throws(DeviceError) {
            queue = try device.makeQueue(depth: 1, bufferBytes: device.geometry.blockSize)
        } catch {
            throw StoreError(error, during: "setting up a queue to format \(path)")
        }
        if !erasingForeignData { try ForeignDataCheck.requireNoForeignData(on: queue, path: path) }
        do throws(DeviceError) {
            try queue.manageAll(.reset)
        } catch {
            throw StoreError(error, during: "resetting every zone of \(path)")
        }
        return try open(device, options: creating, formatting: true)
    }

    private static func openDevice(_ path: String, options: StoreOptions) throws(StoreError) -> ZonedDevice {
        do throws(DeviceError) {
            do throws(DeviceError) {
                return try ZonedDevice.open(path, options: options.device)
            } catch where error.code == .deviceNotFound && options.creation == .createIfMissing && !path.hasPrefix("/dev/") {
                try ZonedDevice.createEmulated(at: path, geometry: options.emulatedGeometry)
                return try ZonedDevice.open(path, options: options.device)
            }
        } catch {
            throw StoreError(.device, "cannot open \(path): \(error.message)", deviceError: error)
        }
    }

    private static func open(_ device: ZonedDevice, options: StoreOptions, formatting: Bool = false) throws(StoreError) -> StoreEngine {
        let geometry = device.geometry
        let unitBytes = min(geometry.maxAppendBytes, 1 << 20) / geometry.blockSize * geometry.blockSize
        guard unitBytes >= Store.minimumAppendBytes else {
            throw StoreError(
                .invalidOption,
                "\(device.path) appends at most \(geometry.maxAppendBytes) bytes at once (ZASL); ZoneKV needs at least \(Store.minimumAppendBytes)")
        }
        let queue: DeviceQueue
        do throws(DeviceError) {
            queue = try device.makeQueue(depth: options.appendsInFlight, bufferBytes: unitBytes, ownership: .handedBetweenThreads)
        } catch {
            throw StoreError(error, during: "setting up the write queue")
        }
        let recoveryStart = ContinuousClock.now
        var (report, state) =
            try formatting
            ? survey(queue, unitBytes: unitBytes)
            : LogRecovery.recover(on: queue, cacheBytes: options.cacheBytes, unitBytes: unitBytes, usingCheckpoints: !options.rebuildIndexFromLog)
        let recoveryTime = ContinuousClock.now - recoveryStart
        let creating = formatting || report.deviceIsEmpty
        if creating && !formatting && options.creation == .openExisting {
            throw StoreError(
                .notFormatted, "\(device.path) holds no store; open it with creation .createIfMissing or format it to create one")
        }
        var identity = report.identity ?? StoreIdentity(tag: 0, generation: 0)
        let fingerprint = GeometryFingerprint(geometry)
        if !creating, let stored = identity.geometry, stored != fingerprint {
            throw StoreError(
                .geometryMismatch,
                "the store on \(device.path) was formatted for \(stored), but the device now has \(fingerprint): it was reformatted or is another device. Its records cannot be found at these addresses; format the store again to use the device (that erases it)")
        }
        if creating {
            // A new store: whatever read-only zones kept of an older one stays out of it.
            state = EngineState(cacheBytes: options.cacheBytes, zoneCount: geometry.zoneCount)
            identity = StoreIdentity.new(after: report.identity, geometry: fingerprint)
            report.nextSequence = 1
            report.nextUnitSequence = 1
            report.streams = []
        }
        // The pipeline publishes the allocator's zone counts to the state as it starts.
        let allocator = ZoneAllocator(
            geometry: geometry, zones: report.zones, unitBlocks: unitBytes / geometry.blockSize, streams: report.streams)
        let engine = Guarded(state)
        let pipeline = WritePipeline(
            queue: queue, unitBytes: unitBytes, allocator: allocator, engine: engine,
            compressionThreshold: options.compressionThreshold, nextUnitSequence: report.nextUnitSequence, storeTag: identity.tag)
        let writes = GroupCommit(pipeline: pipeline, nextSequence: report.nextSequence)
        let summary = RecoverySummary(
            keys: state.index.count, units: report.units, records: report.records, skippedBlocks: report.skippedBlocks,
            incompleteBatches: report.incompleteBatches, formerStoreRecords: report.foreignRecords, created: creating,
            seconds: Double(recoveryTime.components.seconds) + Double(recoveryTime.components.attoseconds) / 1e18,
            checkpointID: report.checkpoint?.id, skippedCheckpoints: report.skippedCheckpoints,
            offlineZones: report.zones.filter { $0.state == .offline }.map(\.zone.rawValue))
        let store = StoreEngine(
            path: device.path, device: device, options: options, unitBytes: unitBytes, engine: engine, writes: writes,
            recovery: summary, identity: identity)
        if creating { try store.writeStoreHeader(identity) }
        store.maintenance?.start(for: store)
        return store
    }

    /// What a device about to be formatted holds: its zones, and the newest store identity on
    /// it (so the new store's generation follows it). Foreign data is no obstacle to a format.
    private static func survey(_ queue: DeviceQueue, unitBytes: Int) throws(StoreError) -> (LogRecovery.Report, EngineState) {
        let empty = EngineState(cacheBytes: 0, zoneCount: queue.geometry.zoneCount)
        do throws(StoreError) {
            return try LogRecovery.recover(on: queue, cacheBytes: 0, unitBytes: unitBytes)
        } catch where error.code == .notAStore || error.code == .unsupportedFormat {
            do throws(DeviceError) {
                return (LogRecovery.Report(zones: try queue.reportZones()), empty)
            } catch {
                throw StoreError(error, during: "reporting zones")
            }
        }
    }

    /// Makes every acknowledged write durable, writes a checkpoint (when asked to and anything
    /// changed since the last), then refuses further writes.
    func close() throws(StoreError) {
        maintenance?.stop()
        defer {
            writes.close()
            reads.drain()
        }
        try sync()
        if options.checkpointOnClose && engine.withLock({ $0.checkpoints.bytesSinceCut > 0 }) {
            // The data is durable already: a checkpoint that cannot be written (a full device)
            // only means the next open reads more of the log.
            _ = try? checkpoint()
        }
    }

    // MARK: Limits

    /// The largest value whose chunk descriptor fits one unit with the longest key.
    private static func largestValue(unitBytes: Int) -> Int {
        let overhead = AppendUnitFormat.headerBytes + AppendUnitFormat.recordHeaderBytes + Store.maxKeyBytes
        let chunks = (unitBytes - overhead - LargeValueDescriptor.headerBytes) / LargeValueDescriptor.chunkBytes
        return min(256 << 20, chunks * (unitBytes - overhead))
    }

    /// The largest value stored in one record with this key; larger ones are chunked.
    func inlineValueLimit(keyCount: Int) -> Int {
        unitBytes - AppendUnitFormat.headerBytes - AppendUnitFormat.recordHeaderBytes - keyCount
    }

    func checkKey(_ key: [UInt8]) throws(StoreError) {
        guard key.count <= Store.maxKeyBytes else {
            throw StoreError(.keyTooLarge, "a key of \(key.count) bytes is longer than the \(Store.maxKeyBytes) bytes a key may have")
        }
    }

    func checkValue(_ value: [UInt8]) throws(StoreError) {
        guard value.count <= maxValueBytes else {
            throw StoreError(
                .valueTooLarge,
                "a value of \(value.count) bytes is larger than the \(maxValueBytes) bytes this store takes; split it across keys")
        }
    }
}
