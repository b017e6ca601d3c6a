/// How a device and its queues are opened. Every option is chosen at open time; the same
/// code runs whichever backend and options are picked.
public struct DeviceOptions: Hashable, Sendable {
    /// Register the device file with each ring and name it by index (IOSQE_FIXED_FILE), saving a
    /// file lookup per command.
    public var registeredFiles = false
    /// Register each command slot's buffer with its ring (fixed buffers), saving page pinning per
    /// command. Buffers are registered one per slot: Linux 6.1 rejects fixed-buffer passthrough
    /// I/O into a registration larger than 127 pages.
    public var fixedBuffers = false
    /// Poll for completions instead of taking interrupts (IORING_SETUP_IOPOLL). Real polling needs
    /// NVMe poll queues (`nvme.poll_queues`); the emulated backend needs `directIO` for it.
    public var polledCompletions = false
    /// Let a kernel thread poll the submission queue (IORING_SETUP_SQPOLL), saving submit system calls.
    public var polledSubmissions = false
    /// Emulated backend only: open the device file with O_DIRECT, bypassing the page cache.
    public var directIO = false
    /// NVMe backend only: how commands reach the kernel (io_uring passthrough unless chosen
    /// otherwise). The ring options above apply to the io_uring and block-layer paths.
    public var commandPath = CommandPath.ioUring

    public init(
        registeredFiles: Bool = false, fixedBuffers: Bool = false, polledCompletions: Bool = false,
        polledSubmissions: Bool = false, directIO: Bool = false, commandPath: CommandPath = .ioUring
    ) {
        self.registeredFiles = registeredFiles
        self.fixedBuffers = fixedBuffers
        self.polledCompletions = polledCompletions
        self.polledSubmissions = polledSubmissions
        self.directIO = directIO
        self.commandPath = commandPath
    }
}

/// The I/O path behind a device.
public enum DeviceBackend: String, Hashable, Sendable, CustomStringConvertible {
    /// NVMe passthrough over io_uring on a generic char device (`/dev/ngXnY`).
    case nvme
    /// A zoned device emulated in a regular file.
    case emulated

    public var description: String { rawValue }
}
