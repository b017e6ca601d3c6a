import Glibc

/// Kinds of command the emulator can be told to fail.
public enum EmulatedCommandKind: Int, Hashable, Sendable, CaseIterable {
    /// `zoneManagement` is any Zone Management Send; `zoneReset` and `zoneFinish` only that action.
    case read, write, append, zoneManagement, reportZones, flush, zoneReset, zoneFinish

    /// Whether a fault planned for this kind fires on `command`.
    func matches(_ command: NVMeCommand) -> Bool {
        switch self {
        case .read: command.opcode == NVMeCommand.Opcode.read
        case .write: command.opcode == NVMeCommand.Opcode.write
        case .append: command.opcode == NVMeCommand.Opcode.zoneAppend
        case .zoneManagement: command.opcode == NVMeCommand.Opcode.zoneManagementSend
        case .reportZones: command.opcode == NVMeCommand.Opcode.zoneManagementReceive
        case .flush: command.opcode == NVMeCommand.Opcode.flush
        case .zoneReset: command.opcode == NVMeCommand.Opcode.zoneManagementSend && command.zoneSendAction == ZoneAction.reset.rawValue
        case .zoneFinish: command.opcode == NVMeCommand.Opcode.zoneManagementSend && command.zoneSendAction == ZoneAction.finish.rawValue
        }
    }
}

/// How an injected fault completes the command.
public struct InjectedStatus: Hashable, Sendable {
    /// The completion status as the kernel reports it: positive NVMe status or negative errno.
    let completionStatus: Int32

    /// Fails with an NVMe status (status code type << 8 | status code), with Do Not Retry set.
    public static func nvme(_ status: UInt16) -> InjectedStatus {
        InjectedStatus(completionStatus: Int32(status | NVMeStatus.doNotRetry))
    }
    /// Fails as the kernel would with `-errno` (e.g. EIO for a failed transfer).
    public static func systemError(_ number: Int32) -> InjectedStatus {
        InjectedStatus(completionStatus: -number)
    }

    public static let zoneFull = nvme(NVMeStatus.zoneFull)
    public static let zoneBoundaryError = nvme(NVMeStatus.zoneBoundaryError)
    public static let zoneInvalidWrite = nvme(NVMeStatus.zoneInvalidWrite)
    public static let zoneReadOnly = nvme(NVMeStatus.zoneReadOnly)
    public static let zoneOffline = nvme(NVMeStatus.zoneOffline)
    public static let tooManyActiveZones = nvme(NVMeStatus.tooManyActiveZones)
    public static let tooManyOpenZones = nvme(NVMeStatus.tooManyOpenZones)
    public static let invalidField = nvme(NVMeStatus.invalidField)
    /// An unrecovered read error (media error, status code type 2, code 0x81).
    public static let unrecoveredReadError = nvme(0x281)
    /// A write fault (media error, status code type 2, code 0x80).
    public static let writeFault = nvme(0x280)
    /// A command the kernel driver gave up on: after `nvme_core.io_timeout` it aborts the
    /// command (or resets the controller) and completes it with `-EINTR`.
    public static let timedOut = systemError(EINTR)
}

/// A fault waiting for its command: the `remaining`-th next command of `kind` fails with `status`.
struct PlannedFault {
    var kind: EmulatedCommandKind
    var remaining: Int
    var status: InjectedStatus
}
