/// How an NVMe device's commands reach the kernel. Every path runs the same commands with the
/// same results; they differ in what each command costs, and the block layer reports a failed
/// read or write as an errno (EIO for most zone errors) where the others give its NVMe status.
/// Chosen at open time (``DeviceOptions/commandPath``), so the same code runs over any of them,
/// as with xNVMe.
public enum CommandPath: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// io_uring passthrough (IORING_OP_URING_CMD): asynchronous and batched. The default.
    case ioUring = "io_uring"
    /// One blocking NVMe ioctl per command, run on the submitting thread when it is enqueued:
    /// queue depth 1 in effect, whatever the queue's depth.
    case synchronousIOCtl = "ioctl"
    /// Blocking NVMe ioctls from a pool of threads, one thread per queue slot: asynchronous
    /// I/O emulated over a synchronous interface (xNVMe's thread-pool backend does this).
    case ioctlThreadPool = "ioctl-thread-pool"
    /// Reads and writes through the kernel block layer: io_uring with O_DIRECT on the
    /// namespace's block device (`/dev/nvmeXnY`). Zone Append, zone management and flush stay on
    /// passthrough, since the block layer offers no Zone Append to user space. Needs a namespace
    /// the kernel exposes as a block device: Linux 6.1 hides zoned namespaces whose zone size is
    /// not a power of two.
    case blockLayer = "block"

    public var description: String { rawValue }
}
