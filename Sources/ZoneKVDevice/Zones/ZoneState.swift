/// The state of a zone, as the NVMe Zoned Namespace command set defines it.
public enum ZoneState: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case empty = 0x1
    case implicitlyOpened = 0x2
    case explicitlyOpened = 0x3
    case closed = 0x4
    case readOnly = 0xD
    case full = 0xE
    case offline = 0xF

    /// Whether the zone holds an open resource (counts against the max open zones).
    public var isOpen: Bool { self == .implicitlyOpened || self == .explicitlyOpened }

    /// Whether the zone holds an active resource (counts against the max active zones).
    public var isActive: Bool { isOpen || self == .closed }

    /// Whether writes and appends may still go to the zone.
    public var isWritable: Bool { isActive || self == .empty }

    public var description: String {
        switch self {
        case .empty: "empty"
        case .implicitlyOpened: "implicitly-opened"
        case .explicitlyOpened: "explicitly-opened"
        case .closed: "closed"
        case .readOnly: "read-only"
        case .full: "full"
        case .offline: "offline"
        }
    }
}
