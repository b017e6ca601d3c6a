/// A command slot of a `DeviceQueue`: a pre-allocated place for one command in flight and its
/// I/O buffer. The tag travels with the command to the device and back.
public struct CommandTag: Hashable, Sendable, CustomStringConvertible {
    /// The slot's index, from 0 to the queue depth - 1.
    public let index: Int

    init(_ index: Int) { self.index = index }

    public var description: String { "tag \(index)" }
}
