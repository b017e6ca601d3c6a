import Dispatch
import Foundation
import Synchronization
import ZoneKVDevice

/// The store's background work, on one thread: garbage collection while free zones are at or
/// below a watermark, so writers rarely find the device full, and checkpoints when enough was
/// written (or enough time passed) since the last. It looks every few milliseconds (a glance at
/// two counters) and does one piece of work at a time, through the same gates as callers.
final class MaintenanceThread: Sendable {
    /// Free zones at or below which it collects; `nil`: no background collection.
    private let collectionFreeZones: Int?
    private let checkpoints: Bool
    private let started = Atomic<Bool>(false)
    private let stopping = Atomic<Bool>(false)
    private let exited = DispatchSemaphore(value: 0)
    /// The engine while the thread runs. The thread drops it before it says it exited, so once
    /// `stop()` returns, closing the engine releases the device at once rather than whenever
    /// the thread object goes away.
    private let engine = EngineLock<StoreEngine?>(nil)
    private static let checkInterval = DispatchTimeInterval.milliseconds(10)

    /// `nil` when there is nothing to do in the background.
    init?(collectionFreeZones: Int?, checkpoints: Bool) {
        guard collectionFreeZones != nil || checkpoints else { return nil }
        self.collectionFreeZones = collectionFreeZones
        self.checkpoints = checkpoints
    }

    /// Starts the thread, which holds the engine until `stop()` returns; closing the engine stops it.
    /// (Not a weak reference: one would give the engine a side table, making every retain and
    /// release of it, one per store call, take the slow path: 60 ns more per cached get.)
    func start(for engine: StoreEngine) {
        guard !started.exchange(true, ordering: .acquiringAndReleasing) else { return }
        self.engine.withLock { $0 = engine }
        let thread = Thread { [self] in
            if let engine = self.engine.withLock({ $0 }) { self.run(engine) }
            self.engine.withLock { $0 = nil }
            self.exited.signal()
        }
        thread.name = "zonekv-maintenance"
        thread.start()
    }

    /// Stops the thread, after the work it may be doing (if it was ever started).
    func stop() {
        guard !stopping.exchange(true, ordering: .acquiringAndReleasing), started.load(ordering: .acquiring) else { return }
        exited.wait()
    }

    private func run(_ engine: StoreEngine) {
        // Reads and foreground writes come first; a writer that finds the device full
        // collects on its own thread, at its own priority.
        lowerCurrentThreadPriority(by: 10)
        let pause = DispatchSemaphore(value: 0)
        while !stopping.load(ordering: .acquiring) {
            var worked = false
            // Errors (the device failing) are left for the next write to report.
            if let collectionFreeZones, engine.engine.withLock({ $0.counters.freeZones }) <= collectionFreeZones {
                worked = ((try? engine.collectGarbage()) ?? nil) != nil
            }
            if !worked, checkpoints, engine.checkpointIsDue {
                worked = ((try? engine.checkpoint()) ?? nil) != nil
            }
            if !worked { _ = pause.wait(timeout: .now() + Self.checkInterval) }
        }
    }
}
