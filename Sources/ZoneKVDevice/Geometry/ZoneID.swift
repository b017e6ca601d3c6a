/// The index of a zone on a zoned device, from 0 to `DeviceGeometry.zoneCount - 1`.
public struct ZoneID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: Int

    @inlinable
    public init(rawValue: Int) { self.rawValue = rawValue }

    @inlinable
    public init(_ rawValue: Int) { self.rawValue = rawValue }

    @inlinable
    public static func < (lhs: ZoneID, rhs: ZoneID) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { "zone \(rawValue)" }
}
