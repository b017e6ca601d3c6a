#if canImport(Glibc)
import Glibc
#endif

/// Zipfian item numbers by the method of Gray et al. ("Quickly generating billion-record
/// synthetic databases", SIGMOD 1994), as YCSB's `ZipfianGenerator` draws them: item 0 is the
/// most popular. The item count may grow between draws (the latest distribution does); zeta is
/// then extended incrementally.
public struct ZipfianGenerator: Sendable {
    /// YCSB's Zipfian constant.
    public static let constant = 0.99

    private let theta: Double
    private let alpha: Double
    private let zeta2: Double
    private(set) public var itemCount: UInt64
    private var zetan: Double
    private var eta: Double
    private var random: FastRandom

    /// - Parameter zetan: zeta(itemCount, constant) when known (it takes O(itemCount) to compute).
    public init(itemCount: UInt64, constant: Double = ZipfianGenerator.constant, zetan: Double? = nil, seed: UInt64) {
        precondition(itemCount > 0, "a distribution needs at least one item")
        theta = constant
        alpha = 1 / (1 - constant)
        zeta2 = Self.zeta(from: 0, to: 2, theta: constant, initial: 0)
        self.itemCount = itemCount
        let zeta = zetan ?? Self.zeta(from: 0, to: itemCount, theta: constant, initial: 0)
        self.zetan = zeta
        eta = Self.eta(itemCount: itemCount, theta: constant, zeta2: zeta2, zetan: zeta)
        random = FastRandom(seed: seed)
    }

    /// The next item number in 0..<itemCount.
    public mutating func next() -> UInt64 { next(itemCount: itemCount) }

    /// The next item number in 0..<count, for a count that may have grown since the last draw.
    public mutating func next(itemCount count: UInt64) -> UInt64 {
        if count > itemCount {
            zetan = Self.zeta(from: itemCount, to: count, theta: theta, initial: zetan)
            itemCount = count
            eta = Self.eta(itemCount: count, theta: theta, zeta2: zeta2, zetan: zetan)
        }
        let uniform = random.nextDouble()
        let scaled = uniform * zetan
        if scaled < 1 { return 0 }
        if scaled < 1 + pow(0.5, theta) { return min(1, count - 1) }
        return min(count - 1, UInt64(Double(count) * pow(eta * uniform - eta + 1, alpha)))
    }

    /// zeta(to, theta) = sum over i in 1...to of 1 / i^theta, continued from zeta(from, theta) = initial.
    static func zeta(from: UInt64, to: UInt64, theta: Double, initial: Double) -> Double {
        var sum = initial
        var index = from
        while index < to {
            sum += 1 / pow(Double(index + 1), theta)
            index += 1
        }
        return sum
    }

    private static func eta(itemCount: UInt64, theta: Double, zeta2: Double, zetan: Double) -> Double {
        (1 - pow(2 / Double(itemCount), 1 - theta)) / (1 - zeta2 / zetan)
    }
}
