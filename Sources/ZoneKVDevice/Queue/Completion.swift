/// A finished command, as `DeviceQueue.reap` reports it.
public struct Completion: Sendable {
    /// The slot the command ran on.
    public let tag: CommandTag
    /// The command that finished.
    public let command: ZoneCommand
    /// Why the command failed, or `nil` if it succeeded.
    public let error: DeviceError?
    /// The command's result: for a Zone Append, the address the device assigned.
    public let value: UInt64

    /// Whether the command succeeded.
    public var succeeded: Bool { error == nil }

    /// For a successful Zone Append, the first block the device wrote the data to.
    public var assignedAddress: BlockAddress { BlockAddress(value) }

    /// The result, or the error thrown.
    public func get() throws(DeviceError) -> UInt64 {
        if let error { throw error }
        return value
    }
}
