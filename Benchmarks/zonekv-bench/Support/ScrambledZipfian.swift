#if canImport(Glibc)
import Glibc
#endif

/// YCSB's request distributions, as its CoreWorkload defines them.
enum YCSB {
    /// FNV-1a over the 8 bytes of `value`, low byte first, made non-negative: YCSB's `fnvhash64`.
    static func fnvHash64(_ value: UInt64) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        var remaining = value
        for _ in 0..<8 {
            hash ^= remaining & 0xFF
            hash = hash &* 1_099_511_628_211
            remaining >>= 8
        }
        let signed = Int64(bitPattern: hash)
        return signed == Int64.min ? UInt64(bitPattern: signed) : UInt64(abs(signed))
    }

    /// The key of record `number`: "user" and its hash, as YCSB names keys with insertorder=hashed.
    static func key(_ number: UInt64) -> [UInt8] {
        Array("user\(fnvHash64(number))".utf8)
    }
}

/// Zipfian item numbers (Gray et al., "Quickly generating billion-record synthetic databases"),
/// with YCSB's constant 0.99, scrambled as YCSB's "zipfian" distribution does: drawn over ten
/// billion items and hashed onto the item range, so popular items scatter over the key space.
struct ScrambledZipfian {
    private static let theta = 0.99
    private static let itemSpace: UInt64 = 10_000_000_000
    /// zeta(10^10, 0.99), precomputed by YCSB.
    private static let zetaOfItemSpace = 26.46902820178302

    let itemCount: UInt64
    private let alpha = 1 / (1 - theta)
    /// zeta(2, theta) = 1 + 0.5^theta: below it (scaled), the draw is rank 1.
    private let zeta2: Double
    private let eta: Double
    private var random: FastRandom

    init(itemCount: UInt64, seed: UInt64) {
        self.itemCount = itemCount
        zeta2 = 1 + pow(0.5, Self.theta)
        eta = (1 - pow(2 / Double(Self.itemSpace), 1 - Self.theta)) / (1 - zeta2 / Self.zetaOfItemSpace)
        random = FastRandom(seed: seed)
    }

    /// The next item number in 0..<itemCount.
    mutating func next() -> UInt64 {
        let uniform = Double(random.next() >> 11) / Double(1 << 53)
        let scaled = uniform * Self.zetaOfItemSpace
        let rank: UInt64
        if scaled < 1 {
            rank = 0
        } else if scaled < zeta2 {
            rank = 1
        } else {
            rank = UInt64(Double(Self.itemSpace) * pow(eta * uniform - eta + 1, alpha))
        }
        return YCSB.fnvHash64(rank) % itemCount
    }
}
