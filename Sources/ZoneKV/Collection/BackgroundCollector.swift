import Dispatch
import Foundation
import Synchronization

/// Collects garbage on its own thread while free zones are at or below a watermark, so writers
/// rarely find the device full. It checks every few milliseconds (a look at one counter) and
/// collects one zone at a time, through the same gate as writers that need room.
final class BackgroundCollector: Sendable {
    private let lowWatermark: Int
    private let started = Atomic<Bool>(false)
    private let stopping = Atomic<Bool>(false)
    private let exited = DispatchSemaphore(value: 0)
    private static let checkInterval = DispatchTimeInterval.milliseconds(10)

    init(lowWatermark: Int) {
        self.lowWatermark = lowWatermark
    }

    /// Starts the thread, which holds the engine until `stop()`; closing the engine stops it.
    /// (Not a weak reference: one would give the engine a side table, making every retain and
    /// release of it, one per store call, take the slow path: 60 ns more per cached get.)
    func start(for engine: StoreEngine) {
        guard !started.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let thread = Thread { [self] in
            self.run(engine)
            self.exited.signal()
        }
        thread.name = "zonekv-collector"
        thread.start()
    }

    /// Stops the thread, after the collection it may be running (if it was ever started).
    func stop() {
        guard !stopping.exchange(true, ordering: .acquiringAndReleasing), started.load(ordering: .acquiring) else { return }
        exited.wait()
    }

    private func run(_ engine: StoreEngine) {
        let pause = DispatchSemaphore(value: 0)
        while !stopping.load(ordering: .acquiring) {
            var collected = false
            if engine.engine.withLock({ $0.counters.freeZones }) <= lowWatermark {
                // An error (the device failing) is left for the next write to report.
                collected = ((try? engine.collectGarbage()) ?? nil) != nil
            }
            if !collected { _ = pause.wait(timeout: .now() + Self.checkInterval) }
        }
    }
}
