import Testing
@testable import ZoneKVDevice

#if canImport(Glibc)
import Glibc
#endif

/// Every NVMe status and system error the layer names maps to its code, whether or not the
/// device sets Do Not Retry, and the message names the failed command.
@Suite
struct StatusDecodingTests {
    static let statuses: [(UInt16, DeviceError.Code)] = [
        (0x1B6, .invalidZoneOperation), (0x1B8, .zoneBoundaryError), (0x1B9, .zoneFull), (0x1BA, .zoneReadOnly),
        (0x1BB, .zoneOffline), (0x1BC, .zoneInvalidWrite), (0x1BD, .tooManyActiveZones), (0x1BE, .tooManyOpenZones),
        (0x1BF, .invalidZoneStateTransition), (0x001, .invalidOpcode), (0x002, .invalidField), (0x080, .lbaOutOfRange),
        (0x281, .deviceStatus),
    ]

    @Test("NVMe statuses decode to their codes", arguments: statuses)
    func nvmeStatuses(_ status: UInt16, _ code: DeviceError.Code) {
        let command = ZoneCommand.append(ZoneID(3), blockCount: 2)
        for raw in [status, status | 0x4000] {
            let error = DeviceError(completionStatus: Int32(raw), command: command, backend: .nvme)
            #expect(error.code == code)
            #expect(error.nvmeStatus == status)
            #expect(error.message.hasPrefix("Zone Append of 2 blocks to zone 3 failed"))
        }
    }

    @Test("system errors carry advice that fits the backend")
    func systemErrors() {
        let read = ZoneCommand.read(BlockAddress(0), blockCount: 1)
        let denied = DeviceError(completionStatus: -EACCES, command: read, backend: .nvme)
        #expect(denied.code == .permissionDenied)
        #expect(denied.message.contains("CAP_SYS_ADMIN"))
        #expect(!DeviceError(completionStatus: -EACCES, command: read, backend: .emulated).message.contains("CAP_SYS_ADMIN"))
        let unsupported = DeviceError(completionStatus: -EOPNOTSUPP, command: read, backend: .nvme)
        #expect(unsupported.code == .passthroughUnsupported)
        #expect(unsupported.message.contains("5.19"))
        #expect(DeviceError(completionStatus: -EOPNOTSUPP, command: read, backend: .emulated).code == .optionUnsupported)
        #expect(DeviceError(completionStatus: -EIO, command: read, backend: .nvme).code == .systemError)
        // EAGAIN is EWOULDBLOCK on Linux: a busy *lock* means another process holds the device,
        // but a command failing with it does not.
        #expect(DeviceError(completionStatus: -EAGAIN, command: read, backend: .nvme).code == .systemError)
    }
}
