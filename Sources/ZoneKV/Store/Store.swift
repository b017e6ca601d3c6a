/// A key-value object store on a zoned device.
///
/// Open one on an NVMe generic char device (`/dev/ngXnY`, through io_uring passthrough, as
/// root) or on an emulated device file (created on first use). Records are appended to zones
/// with Zone Append, an in-memory ordered index finds them, and one device read serves a get.
///
/// A store is safe to share between threads and tasks: concurrent writers share appends (group
/// commit), readers never wait for writers' I/O. Every call has a synchronous form and, for
/// writes that wait, an `async` form that suspends instead of blocking.
///
/// ```swift
/// let store = try Store.open("/tmp/example.zns")     // creates the emulated device if missing
/// try store.put("greeting", "hello")
/// let value = try store.get("greeting")              // "hello"
/// try store.sync()                                   // durable across power loss
/// try store.close()
/// ```
public final class Store: Sendable {
    /// The longest key, in bytes.
    public static let maxKeyBytes = AppendUnitFormat.maxKeyBytes
    /// The smallest Zone Append limit (ZASL) a device needs for ZoneKV.
    public static let minimumAppendBytes = 64 << 10

    /// The path the store was opened from.
    public let path: String
    public let options: StoreOptions
    /// The device's geometry and limits.
    public let geometry: DeviceGeometry
    /// The I/O path in use.
    public let backend: DeviceBackend
    /// The largest value this store takes: at least 64 MiB (it depends on the device's append limit).
    public let maxValueBytes: Int
    /// What recovery found when the store was opened.
    public let recovery: RecoverySummary
    /// Fault injection and power-loss simulation when the device is emulated, for testing how
    /// an application copes with a failing device; `nil` on a real device or once closed.
    public var emulator: EmulatorControls? {
        slot.withLock { $0.engine?.device.emulator }
    }

    private final class Slot {
        var engine: StoreEngine?
        init(_ engine: StoreEngine) { self.engine = engine }
    }
    /// The engine until the store is closed.
    private let slot: Guarded<Slot>

    private init(_ engine: StoreEngine) {
        path = engine.path
        options = engine.options
        geometry = engine.device.geometry
        backend = engine.device.backend
        maxValueBytes = engine.maxValueBytes
        recovery = engine.recovery
        slot = Guarded(Slot(engine))
    }

    deinit {
        try? close()
    }

    // MARK: Opening and closing

    /// Opens the store on `path`, rebuilding its index from the log.
    ///
    /// With `.createIfMissing` (the default) a store is created on an empty device, and a missing
    /// emulated device file is created first with `options.emulatedGeometry`.
    ///
    /// - Throws: `StoreError` with `.notFormatted` (empty device and `.openExisting`), `.notAStore`,
    ///   `.unsupportedFormat`, `.geometryMismatch`, `.invalidOption`, or `.device` for what the device layer reports
    ///   (a missing path, permissions, a device another process holds).
    public static func open(_ path: String, options: StoreOptions = StoreOptions()) throws(StoreError) -> Store {
        Store(try StoreEngine.open(path, options: options))
    }

    /// Creates a new, empty store on `path`, erasing the store the device held (every zone is
    /// reset). A missing emulated device file is created with `options.emulatedGeometry`.
    ///
    /// - Parameter erasingForeignData: Also erase data that is not a ZoneKV store of this
    ///   format version. Without it, such a device is left alone and the format throws
    ///   `.notAStore` or `.unsupportedFormat`.
    public static func format(
        _ path: String, options: StoreOptions = StoreOptions(), erasingForeignData: Bool = false
    ) throws(StoreError) -> Store {
        Store(try StoreEngine.format(path, options: options, erasingForeignData: erasingForeignData))
    }

    /// Makes every acknowledged write durable and closes the store; later calls throw `.closed`.
    /// The device is released once calls still running on other threads return. Closing twice
    /// is harmless.
    public func close() throws(StoreError) {
        guard let engine = slot.withLock({ slot in
            defer { slot.engine = nil }
            return slot.engine
        }) else { return }
        try engine.close()
    }

    func engine() throws(StoreError) -> StoreEngine {
        guard let engine = slot.withLock({ $0.engine }) else {
            throw StoreError(.closed, "the store at \(path) is closed; open it again to go on")
        }
        return engine
    }

    // MARK: Writing

    /// Sets `key` to `value`. Returns once the value's append has completed on the device: it
    /// survives a crash of this process at once, and a power loss after the next `sync()` (or at
    /// once with `sync: true`).
    ///
    /// - Throws: `.keyTooLarge`, `.valueTooLarge`, `.deviceFull`, `.closed`, or `.device`.
    public func put(_ key: [UInt8], _ value: [UInt8], sync: Bool = false) throws(StoreError) {
        try engine().put(key, value, sync: sync)
    }

    /// Removes `key` (nothing happens if the store does not hold it).
    public func delete(_ key: [UInt8], sync: Bool = false) throws(StoreError) {
        try engine().delete(key, sync: sync)
    }

    /// Applies every change of `batch`, or none of them, also across a crash.
    public func write(_ batch: WriteBatch, sync: Bool = false) throws(StoreError) {
        try engine().write(batch, sync: sync)
    }

    /// Makes every write that returned before this call durable across power loss.
    public func sync() throws(StoreError) {
        try engine().sync()
    }

    // MARK: Reading

    /// The value of `key`, or `nil` if the store does not hold it. A cached value costs no I/O;
    /// otherwise one device read (a large value: its chunks, read in parallel).
    public func get(_ key: [UInt8]) throws(StoreError) -> [UInt8]? {
        try engine().get(key)
    }

    /// Whether the store holds `key`: the index alone answers, without I/O.
    public func contains(_ key: [UInt8]) throws(StoreError) -> Bool {
        try engine().contains(key)
    }

    /// Keys from `start` (inclusive; from the first key if `nil`) up to `end` (exclusive; to the
    /// last if `nil`) in byte order, with their values, at most `limit` of them. Values not in
    /// the cache are read with many reads in flight at once.
    public func scan(from start: [UInt8]? = nil, to end: [UInt8]? = nil, limit: Int? = nil) throws(StoreError) -> [KeyValuePair] {
        try engine().scan(from: start, to: end, limit: limit)
    }

    /// Keys that start with `prefix`, in byte order, with their values, at most `limit` of them.
    public func scan(prefix: [UInt8], limit: Int? = nil) throws(StoreError) -> [KeyValuePair] {
        try engine().scan(prefix: prefix, limit: limit)
    }

    /// Counters and sizes of the store now: keys, index memory per key, cache, appends, group
    /// commit, compression, zones.
    /// Collects garbage in one zone now: the sealed zone with the best cost-benefit score has
    /// its live records copied to the relocation stream, then is reset and free again.
    /// Background collection and writes that find the device full do this by themselves; this
    /// is for tools and tests. Returns what it did, or `nil` if no zone had garbage worth it.
    @discardableResult
    public func collectGarbage() throws(StoreError) -> CollectionSummary? {
        try engine().collectGarbage()
    }

    /// Writes a checkpoint of the index now, so that an open after a crash replays only what
    /// is written from here on. The store writes them by itself (see
    /// ``StoreOptions/checkpointAfterBytes`` and ``StoreOptions/checkpointOnClose``); this is
    /// for tools and tests. Returns what it wrote.
    @discardableResult
    public func checkpoint() throws(StoreError) -> CheckpointSummary? {
        try engine().checkpoint()
    }

    /// Every zone of the device as the store uses it: for zone maps and tools.
    public func zones() throws(StoreError) -> [ZoneSummary] {
        try engine().zoneSummaries()
    }

    /// Reads every zone back and checks each append unit's checksum, then reads every key's
    /// record and checks it against the index. Calls `progress` as it goes. Writes may go on
    /// meanwhile; keys they change are checked as they were when reached.
    public func check(progress: (CheckProgress) -> Void = { _ in }) throws(StoreError) -> CheckReport {
        try engine().check(progress: progress)
    }

    public func statistics() throws(StoreError) -> StoreStatistics {
        try engine().statistics
    }
}
