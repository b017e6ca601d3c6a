import Foundation
import Testing
import ZoneKV
import ZoneKVDevice

/// Resources: a device is held by one store at a time, and every open, failed or not, gives
/// back the file descriptors and io_uring rings it took.
@Suite(.serialized) struct StoreResourceTests {
    /// This process's open descriptors of files whose path starts with `prefix` (other suites
    /// run beside this one, so only the test's own files can be counted).
    private static func openDescriptors(of prefix: String) -> Int {
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return descriptors.filter { (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + $0))?.hasPrefix(prefix) == true }.count
    }

    @Test func aStoreOpenedTwiceAtOnceIsRefusedAndTheFirstGoesOn() throws {
        try StoreUnderTest.withStore { store, path in
            try store.put([UInt8]("key"), [UInt8]("value"))
            let second = StoreUnderTest.failure { () throws(StoreError) in _ = try Store.open(path, options: StoreUnderTest.options()) }
            #expect(second?.code == .device)
            #expect(second?.deviceError?.code == .deviceBusy)
            #expect(second?.message.contains("in use") == true, "\(String(describing: second))")
            #expect(try store.get([UInt8]("key")) == [UInt8]("value"))
            try store.close()
            let reopened = try Store.open(path, options: StoreUnderTest.options())
            #expect(try reopened.get([UInt8]("key")) == [UInt8]("value"))
            try reopened.close()
        }
    }

    @Test func opensAndFailedOpensCloseWhatTheyOpened() throws {
        guard StoreUnderTest.isEmulated else { return }
        let (path, cleanUp) = StoreUnderTest.makeDevicePath()
        defer { cleanUp() }
        try Store.format(path, options: StoreUnderTest.options()).close()
        #expect(Self.openDescriptors(of: path) == 0)
        // A device holding data that is not a store: its open fails after the device and its
        // rings are open.
        let foreign = path + ".foreign"
        defer { try? FileManager.default.removeItem(atPath: foreign) }
        try ZonedDevice.createEmulated(at: foreign, geometry: StoreUnderTest.geometry)
        do {
            let device = try ZonedDevice.open(foreign)
            let queue = try device.makeQueue(depth: 1)
            _ = try queue.append([UInt8](repeating: 0xAB, count: StoreUnderTest.geometry.blockSize), to: ZoneID(2))
        }

        for _ in 0..<3 {
            try Store.open(path, options: StoreUnderTest.options()).close()
            var creating = StoreUnderTest.options()
            creating.creation = .openExisting
            #expect(StoreUnderTest.failure { () throws(StoreError) in _ = try Store.open(path + ".missing", options: creating) } != nil)
            let held = try Store.open(path, options: StoreUnderTest.options())
            #expect(StoreUnderTest.failure { () throws(StoreError) in _ = try Store.open(path, options: StoreUnderTest.options()) }?.deviceError?.code == .deviceBusy)
            try held.close()
            #expect(StoreUnderTest.failure { () throws(StoreError) in _ = try Store.open(foreign, options: StoreUnderTest.options()) }?.code == .notAStore)
        }
        #expect(Self.openDescriptors(of: path) == 0, "descriptors left open by opens and failed opens")
    }
}
