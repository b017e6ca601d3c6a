/// An open zoned namespace: its geometry and the way to make command queues for it.
///
/// Open it with a path: `/dev/ngXnY` (any NVMe generic char device) uses NVMe passthrough over
/// io_uring; any other path is an emulated device file made by ``ZonedDevice/createEmulated(at:geometry:)``.
/// The device is safe to share between threads; each thread makes its own ``DeviceQueue``.
public final class ZonedDevice: Sendable {
    /// The path the device was opened from.
    public let path: String
    /// The I/O path in use.
    public let backend: DeviceBackend
    /// The namespace's geometry and limits, as read from the device.
    public let geometry: DeviceGeometry
    /// The options the device was opened with.
    public let options: DeviceOptions

    enum Storage: Sendable {
        case nvme(PassthroughNamespace)
        case emulated(EmulatedController)
    }
    let storage: Storage

    private init(path: String, storage: Storage, geometry: DeviceGeometry, options: DeviceOptions) {
        self.path = path
        self.storage = storage
        self.geometry = geometry
        self.options = options
        switch storage {
        case .nvme: backend = .nvme
        case .emulated: backend = .emulated
        }
    }

    /// Opens the zoned device at `path`.
    ///
    /// - Throws: `DeviceError` with `.deviceNotFound`, `.permissionDenied` (passthrough needs
    ///   root on Linux 6.1), `.notZoned`, `.unsupportedDevice`, `.passthroughUnsupported`,
    ///   `.deviceBusy` or `.invalidDeviceFile`, each with a message saying what to do.
    public static func open(_ path: String, options: DeviceOptions = DeviceOptions()) throws(DeviceError) -> ZonedDevice {
        guard fileExists(path) else {
            throw DeviceError(
                .deviceNotFound,
                "\(path) does not exist; give an NVMe generic char device (/dev/ngXnY) or an emulated device file (create one with `zonekv device create \(path)`)")
        }
        if isCharacterDevice(path) {
            try validateCommandPath(of: options)
            let namespace = try PassthroughNamespace.open(path, withBlockDevice: options.commandPath == .blockLayer)
            return ZonedDevice(path: path, storage: .nvme(namespace), geometry: namespace.geometry, options: options)
        }
        guard options.commandPath == .ioUring else {
            throw DeviceError(
                .optionUnsupported,
                "the \(options.commandPath) command path needs an NVMe device (/dev/ngXnY); an emulated device always runs its commands through io_uring on its file")
        }
        if options.polledCompletions && !options.directIO {
            throw DeviceError(.invalidArgument, "polled completions on an emulated device need direct I/O (O_DIRECT); enable both or neither")
        }
        let controller = try EmulatedDeviceFile.open(path, directIO: options.directIO)
        return ZonedDevice(path: path, storage: .emulated(controller), geometry: controller.geometry, options: options)
    }

    /// The ring options mean nothing to the ioctl paths, which use no ring: refuse them rather
    /// than measure something other than what was asked for.
    private static func validateCommandPath(of options: DeviceOptions) throws(DeviceError) {
        guard options.commandPath == .synchronousIOCtl || options.commandPath == .ioctlThreadPool else { return }
        let ringOptions = [
            (options.registeredFiles, "registeredFiles"), (options.fixedBuffers, "fixedBuffers"),
            (options.polledCompletions, "polledCompletions (IOPOLL)"), (options.polledSubmissions, "polledSubmissions (SQPOLL)"),
        ].filter(\.0).map(\.1)
        guard ringOptions.isEmpty else {
            throw DeviceError(
                .invalidArgument,
                "\(ringOptions.joined(separator: ", ")) apply to io_uring rings, and the \(options.commandPath) command path uses none; drop them or choose the io_uring or block path")
        }
    }

    /// Creates an emulated zoned device file at `path` (sparse: it takes space only as data is
    /// written). The file must not exist yet.
    public static func createEmulated(at path: String, geometry: EmulatedGeometry = EmulatedGeometry()) throws(DeviceError) {
        try EmulatedDeviceFile.create(at: path, geometry: geometry)
    }

    /// Makes a command queue for the calling thread.
    ///
    /// - Parameters:
    ///   - depth: Commands that can be in flight at once (command slots), 1...4096.
    ///   - bufferBytes: Bytes of the I/O buffer each slot owns; by default the larger of the
    ///     append limit and 256 KiB, capped at the max transfer size.
    ///   - ownership: Whether only the calling thread will use the queue (the fastest ring set-up)
    ///     or it will be handed from thread to thread, one at a time.
    public func makeQueue(
        depth: Int = 32, bufferBytes: Int? = nil, ownership: QueueOwnership = .ownerThread
    ) throws(DeviceError) -> DeviceQueue {
        try DeviceQueue(device: self, depth: depth, bufferBytes: bufferBytes, ownership: ownership)
    }

    /// Fault injection and power-loss simulation; `nil` unless the device is emulated.
    public var emulator: EmulatorControls? {
        if case let .emulated(controller) = storage { return EmulatorControls(controller: controller) }
        return nil
    }
}
