/// Device queues for reads, lent to one thread at a time: a get borrows one, does its read and
/// gives it back, so concurrent readers never share a queue and an idle store holds only as
/// many queues as it ever had readers at once.
final class ReadQueuePool: @unchecked Sendable {
    private let device: ZonedDevice
    private let depth: Int
    private let bufferBytes: Int
    private final class Idle {
        var queues: [DeviceQueue] = []
    }
    private let idle = Guarded(Idle())

    init(device: ZonedDevice, depth: Int, bufferBytes: Int) {
        self.device = device
        self.depth = depth
        self.bufferBytes = bufferBytes
    }

    /// Runs `body` with a queue no other thread uses meanwhile.
    func withQueue<Result>(_ body: (DeviceQueue) throws(StoreError) -> Result) throws(StoreError) -> Result {
        let queue: DeviceQueue
        if let reused = idle.withLock({ $0.queues.popLast() }) {
            queue = reused
        } else {
            do throws(DeviceError) {
                queue = try device.makeQueue(depth: depth, bufferBytes: bufferBytes, ownership: .handedBetweenThreads)
            } catch {
                throw StoreError(error, during: "setting up a read queue")
            }
        }
        defer {
            // A queue left with commands in flight (an error mid-read) is not reused.
            if queue.inFlightCount == 0 { idle.withLock { $0.queues.append(queue) } }
        }
        return try body(queue)
    }

    /// Drops the idle queues (their rings and buffers).
    func drain() {
        idle.withLock { $0.queues.removeAll() }
    }
}
