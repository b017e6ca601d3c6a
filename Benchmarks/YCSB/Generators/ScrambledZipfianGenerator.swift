/// YCSB's "zipfian" request distribution (`ScrambledZipfianGenerator`): a Zipfian draw with
/// constant 0.99 over ten billion items, hashed (FNV-1a) onto the item range, so the popular
/// items scatter over the key space instead of crowding at its start.
public struct ScrambledZipfianGenerator: Sendable {
    private static let itemSpace: UInt64 = 10_000_000_000
    /// zeta(10^10, 0.99), as YCSB precomputes it.
    private static let zetaOfItemSpace = 26.46902820178302

    public let itemCount: UInt64
    private var zipfian: ZipfianGenerator

    public init(itemCount: UInt64, seed: UInt64) {
        precondition(itemCount > 0, "a distribution needs at least one item")
        self.itemCount = itemCount
        zipfian = ZipfianGenerator(itemCount: Self.itemSpace, constant: ZipfianGenerator.constant, zetan: Self.zetaOfItemSpace, seed: seed)
    }

    /// The next item number in 0..<itemCount.
    public mutating func next() -> UInt64 {
        KeyNames.fnvHash64(zipfian.next()) % itemCount
    }
}
