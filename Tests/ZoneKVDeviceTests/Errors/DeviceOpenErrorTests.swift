import Foundation
import Testing
import ZoneKVDevice

#if canImport(Glibc)
import Glibc
#endif

/// Opening the wrong thing, or without the right privilege, fails with an error that says
/// what is wrong and what to do.
@Suite(.serialized)
struct DeviceOpenErrorTests {
    @Test("a char device that is not an NVMe generic device is refused")
    func notAnNVMeDevice() {
        let error = deviceError { _ = try ZonedDevice.open("/dev/null") }
        #expect(error?.code == .unsupportedDevice)
        #expect(error?.message.contains("/dev/ngXnY") == true)
    }

    @Test(
        "a conventional (not zoned) NVMe namespace is refused",
        .enabled(if: ProcessInfo.processInfo.environment["ZONEKV_TEST_CONVENTIONAL_DEVICE"] != nil, "needs the guest's /dev/ng0n3"))
    func conventionalNamespace() throws {
        let path = try #require(ProcessInfo.processInfo.environment["ZONEKV_TEST_CONVENTIONAL_DEVICE"])
        let error = deviceError { _ = try ZonedDevice.open(path) }
        #expect(error?.code == .notZoned)
        #expect(error?.message.contains("not a zoned") == true)
    }

    @Test(
        "passthrough without root says it needs CAP_SYS_ADMIN",
        .enabled(if: DeviceUnderTest.usesRealDevices && getuid() == 0, "needs a real NVMe device and root to drop privileges from"))
    func passthroughNeedsRoot() throws {
        guard case let .path(path) = DeviceUnderTest.all[0].source else { return }
        let tool = defaultToolPath()
        let (text, status) = runShellCommand("setpriv --reuid=65534 --regid=65534 --clear-groups \(tool) device info --device \(path)")
        #expect(status != 0)
        #expect(text.contains("permission-denied"), "\(text)")
        #expect(text.contains("CAP_SYS_ADMIN"), "\(text)")
    }
}
