/// A small, fast, seedable generator (xorshift64*): benchmark loops must not pay for a
/// cryptographic generator per operation.
public struct FastRandom: Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed == 0 ? 0x9E37_79B9_7F4A_7C15 : seed }

    public mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }

    /// A value in 0..<bound.
    public mutating func next(below bound: UInt64) -> UInt64 { next() % bound }

    /// A value in [0, 1), as Java's `nextDouble`.
    public mutating func nextDouble() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
