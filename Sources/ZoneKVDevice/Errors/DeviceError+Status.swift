#if canImport(Glibc)
import Glibc
#endif

/// The NVMe status codes the zoned device layer knows by name (status code type in bits 10:8,
/// status code in bits 7:0, as Linux reports them in a passthrough completion).
enum NVMeStatus {
    static let success: UInt16 = 0x000
    static let invalidOpcode: UInt16 = 0x001
    static let invalidField: UInt16 = 0x002
    static let invalidNamespace: UInt16 = 0x00B
    static let lbaOutOfRange: UInt16 = 0x080
    static let invalidZoneOperation: UInt16 = 0x1B6
    static let zrwaResourcesUnavailable: UInt16 = 0x1B7
    static let zoneBoundaryError: UInt16 = 0x1B8
    static let zoneFull: UInt16 = 0x1B9
    static let zoneReadOnly: UInt16 = 0x1BA
    static let zoneOffline: UInt16 = 0x1BB
    static let zoneInvalidWrite: UInt16 = 0x1BC
    static let tooManyActiveZones: UInt16 = 0x1BD
    static let tooManyOpenZones: UInt16 = 0x1BE
    static let invalidZoneStateTransition: UInt16 = 0x1BF
    /// Do Not Retry: set by QEMU (and the emulator) on every error.
    static let doNotRetry: UInt16 = 0x4000
    /// The status code type and status code bits.
    static let statusMask: UInt16 = 0x7FF
}

extension DeviceError {
    /// Decodes a completion's `res`: a negative errno from the kernel or a positive NVMe status.
    /// `command` names what failed, for the message.
    init(completionStatus: Int32, command: ZoneCommand, backend: DeviceBackend) {
        if completionStatus < 0 {
            self = DeviceError(systemErrorNumber: -completionStatus, operation: "\(command)", backend: backend)
        } else {
            self = DeviceError(nvmeStatus: UInt16(truncatingIfNeeded: completionStatus), command: command)
        }
    }

    /// An error for an NVMe status reported by the device.
    init(nvmeStatus rawStatus: UInt16, command: ZoneCommand) {
        let status = rawStatus & NVMeStatus.statusMask
        let hex = "0x" + String(status, radix: 16)
        let (code, meaning): (Code, String) =
            switch status {
            case NVMeStatus.zoneBoundaryError:
                (.zoneBoundaryError, "the transfer crosses the zone's writable capacity or its boundary")
            case NVMeStatus.zoneFull:
                (.zoneFull, "the zone is full; reset it before writing to it again")
            case NVMeStatus.zoneReadOnly:
                (.zoneReadOnly, "the zone is read-only; the device no longer accepts writes to it")
            case NVMeStatus.zoneOffline:
                (.zoneOffline, "the zone is offline; its data cannot be read or written")
            case NVMeStatus.zoneInvalidWrite:
                (.zoneInvalidWrite, "the write does not start at the zone's write pointer; use Zone Append or write at the write pointer")
            case NVMeStatus.tooManyActiveZones:
                (.tooManyActiveZones, "the device's max active zones are in use; finish or reset a zone first")
            case NVMeStatus.tooManyOpenZones:
                (.tooManyOpenZones, "the device's max open zones are in use; close, finish or reset a zone first")
            case NVMeStatus.invalidZoneStateTransition:
                (.invalidZoneStateTransition, "the zone cannot make this state change from its current state")
            case NVMeStatus.invalidZoneOperation:
                (.invalidZoneOperation, "the operation is not allowed on this zone")
            case NVMeStatus.invalidOpcode:
                (.invalidOpcode, "the device does not support this command")
            case NVMeStatus.invalidField:
                (.invalidField, "the device rejected a field of the command (for Zone Append: the address must be a zone start and the size within the append limit)")
            case NVMeStatus.lbaOutOfRange:
                (.lbaOutOfRange, "the command addresses blocks past the end of the namespace")
            default:
                (.deviceStatus, "the device reported an error")
            }
        self.init(code, "\(command) failed: \(meaning) (NVMe status \(hex))", nvmeStatus: status)
    }

    /// An error for a system call or kernel-level failure, with an actionable message where
    /// the cause is known.
    init(systemErrorNumber number: Int32, operation: String, path: String? = nil, backend: DeviceBackend? = nil) {
        let subject = path.map { "\(operation) on \($0)" } ?? operation
        let reason = systemErrorDescription(number)
        let (code, advice): (Code, String) =
            switch number {
            case EACCES where backend == .nvme, EPERM where backend == .nvme:
                (.permissionDenied, "NVMe passthrough needs root (CAP_SYS_ADMIN) on Linux 6.1; run as root or with that capability")
            case EACCES, EPERM:
                (.permissionDenied, "check the permissions of the file and the user running ZoneKV")
            case ENOENT:
                (.deviceNotFound, "check the device path")
            case EOPNOTSUPP where backend != .nvme:
                (.optionUnsupported, "the file system or kernel does not support this on the chosen I/O path; open the device without that option")
            case EOPNOTSUPP, ENOSYS:
                (.passthroughUnsupported, "this kernel lacks io_uring NVMe passthrough (needs Linux 5.19 or later, with 128-byte SQEs)")
            case EINTR:
                (.timedOut, "the kernel's NVMe driver timed the command out or cancelled it; the device may be failing or overloaded (see dmesg), and the command may be retried")
            case ENOTTY:
                (.unsupportedDevice, "the path is not an NVMe generic char device (/dev/ngXnY)")
            default:
                (.systemError, "")
            }
        let message = advice.isEmpty ? "\(subject) failed: \(reason)" : "\(subject) failed: \(reason); \(advice)"
        self.init(code, message, systemErrorNumber: number)
    }
}
