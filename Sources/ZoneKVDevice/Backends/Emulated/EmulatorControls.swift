/// Controls that only an emulated device has: fault injection and power-loss simulation, for
/// testing how the layers above survive a misbehaving device.
public struct EmulatorControls: Sendable {
    let controller: EmulatedController

    /// Makes the `occurrence`-th next command of `kind` (1 = the very next) fail with `status`
    /// without taking effect.
    public func failCommand(_ kind: EmulatedCommandKind, occurrence: Int = 1, with status: InjectedStatus) {
        precondition(occurrence >= 1, "occurrence counts from 1")
        controller.plan(PlannedFault(kind: kind, remaining: occurrence, status: status))
    }

    /// Drops every planned fault that has not fired yet.
    public func clearFaults() { controller.clearFaults() }

    /// Planned faults that have not fired yet (0 once every planned fault hit its command).
    public var plannedFaultCount: Int { controller.plannedFaultCount }

    /// Turns a zone read-only (reads work, writes fail) or offline (nothing works), as a worn
    /// device would. The change persists in the device file.
    public func degrade(_ zone: ZoneID, to state: ZoneState) throws(DeviceError) {
        guard state == .readOnly || state == .offline else {
            throw DeviceError(.invalidArgument, "a zone can only be degraded to read-only or offline, not \(state)")
        }
        controller.degrade(zone, to: state)
    }

    /// Simulates a power cut: everything written since the last completed flush is lost, and open
    /// zones come back closed. With `tearingLastWrite`, the last write or append survives half
    /// written, as a torn write would. Close all queues before calling it.
    public func simulatePowerLoss(tearingLastWrite: Bool = false) throws(DeviceError) {
        try controller.losePower(tearingLastWrite: tearingLastWrite)
    }
}

extension EmulatorControls {
    /// Where a block's data lives in the device file, for tools that read the file directly
    /// (such as fio references in benchmarks).
    public func fileOffset(of address: BlockAddress) -> UInt64 {
        controller.dataOffset + address.rawValue * UInt64(controller.geometry.blockSize)
    }
}
