/// YCSB's "latest" distribution (`SkewedLatestGenerator`): the most recently inserted record is
/// the most popular, then the one before it, Zipfian over the records inserted so far.
public struct SkewedLatestGenerator: Sendable {
    private var zipfian: ZipfianGenerator

    public init(seed: UInt64, initialCount: UInt64) {
        zipfian = ZipfianGenerator(itemCount: max(1, initialCount), seed: seed)
    }

    /// A record number below `insertedCount` (the acknowledged inserts), newest most likely.
    /// As in YCSB, the Zipfian draw is over the newest record's number, so record 0 is never
    /// drawn once there are others.
    public mutating func next(insertedCount: UInt64) -> UInt64 {
        let newest = max(1, insertedCount) - 1
        guard newest > 0 else { return 0 }
        return newest - zipfian.next(itemCount: newest)
    }
}

/// YCSB's "hotspot" distribution (`HotspotIntegerGenerator`): a share of the operations
/// (`hotOperationFraction`) goes to the first `hotSetFraction` of the items, the rest to the others.
public struct HotspotGenerator: Sendable {
    private let hotItems: UInt64
    private let coldItems: UInt64
    private let hotOperationFraction: Double
    private var random: FastRandom

    public init(itemCount: UInt64, hotSetFraction: Double, hotOperationFraction: Double, seed: UInt64) {
        hotItems = UInt64(Double(itemCount) * min(max(hotSetFraction, 0), 1))
        coldItems = itemCount - hotItems
        self.hotOperationFraction = hotOperationFraction
        random = FastRandom(seed: seed)
    }

    public mutating func next() -> UInt64 {
        if hotItems > 0 && (coldItems == 0 || random.nextDouble() < hotOperationFraction) { return random.next(below: hotItems) }
        return hotItems + random.next(below: max(coldItems, 1))
    }
}

/// Picks one of several choices with given weights (YCSB's `DiscreteGenerator`).
public struct WeightedChoice<Choice: Sendable>: Sendable {
    private let choices: [(choice: Choice, cumulative: Double)]
    private var random: FastRandom

    /// - Precondition: some weight is positive.
    public init(_ weighted: [(Choice, Double)], seed: UInt64) {
        var total = 0.0
        var cumulative: [(Choice, Double)] = []
        for (choice, weight) in weighted where weight > 0 {
            total += weight
            cumulative.append((choice, total))
        }
        precondition(total > 0, "nothing to choose from")
        choices = cumulative.map { ($0.0, $0.1 / total) }
        random = FastRandom(seed: seed)
    }

    public mutating func next() -> Choice {
        let draw = random.nextDouble()
        return (choices.first { draw < $0.cumulative } ?? choices[choices.count - 1]).choice
    }
}
