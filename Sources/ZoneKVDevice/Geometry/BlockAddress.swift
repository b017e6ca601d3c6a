/// A logical block address (LBA) on a zoned device, counted in the device's logical blocks.
public struct BlockAddress: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt64

    @inlinable
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    @inlinable
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    @inlinable
    public static func < (lhs: BlockAddress, rhs: BlockAddress) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The address `blocks` logical blocks further on.
    @inlinable
    public func advanced(by blocks: UInt64) -> BlockAddress { BlockAddress(rawValue + blocks) }

    public var description: String { "LBA \(rawValue)" }
}
