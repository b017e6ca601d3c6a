import ZoneKV

/// One way of getting 4 KiB reads to an NVMe namespace, as the SNIA SDC 2022 talk on
/// asynchronous NVMe passthrough compared them: the same device layer, opened with other options.
struct IOPath {
    let name: String
    let options: DeviceOptions

    /// Whether the path keeps only one command in flight, whatever the queue depth.
    var isBlocking: Bool { options.commandPath == .synchronousIOCtl }

    static let all: [IOPath] = [
        IOPath(name: "ioctl, synchronous", options: DeviceOptions(commandPath: .synchronousIOCtl)),
        IOPath(name: "ioctl, thread pool", options: DeviceOptions(commandPath: .ioctlThreadPool)),
        IOPath(name: "io_uring passthrough", options: DeviceOptions()),
        IOPath(name: "io_uring passthrough + IOPOLL", options: DeviceOptions(polledCompletions: true, directIO: true)),
        IOPath(name: "io_uring passthrough + fixed buffers", options: DeviceOptions(fixedBuffers: true)),
        IOPath(name: "io_uring passthrough + SQPOLL", options: DeviceOptions(registeredFiles: true, polledSubmissions: true)),
        IOPath(
            name: "io_uring passthrough + IOPOLL + fixed buffers + SQPOLL",
            options: DeviceOptions(registeredFiles: true, fixedBuffers: true, polledCompletions: true, polledSubmissions: true, directIO: true)),
        IOPath(name: "block layer: io_uring, O_DIRECT", options: DeviceOptions(commandPath: .blockLayer)),
        IOPath(
            name: "block layer: io_uring, O_DIRECT + IOPOLL + fixed buffers",
            options: DeviceOptions(fixedBuffers: true, polledCompletions: true, directIO: true, commandPath: .blockLayer)),
    ]
}
