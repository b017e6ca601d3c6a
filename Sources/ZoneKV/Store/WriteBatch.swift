/// Puts and deletes applied together: after a crash either all of them are in the store or
/// none is. Build one, then hand it to ``Store/write(_:sync:)``.
///
/// ```swift
/// var batch = WriteBatch()
/// batch.put(Array("balance:alice".utf8), Array("90".utf8))
/// batch.put(Array("balance:bob".utf8), Array("110".utf8))
/// try store.write(batch)
/// ```
public struct WriteBatch: Sendable {
    enum Change: Sendable {
        case put(key: [UInt8], value: [UInt8])
        case delete(key: [UInt8])

        var key: [UInt8] {
            switch self {
            case let .put(key, _), let .delete(key): key
            }
        }
    }

    private(set) var changes: [Change] = []

    public init() {}

    /// Sets `key` to `value` when the batch is written.
    public mutating func put(_ key: [UInt8], _ value: [UInt8]) {
        changes.append(.put(key: key, value: value))
    }

    /// Removes `key` when the batch is written.
    public mutating func delete(_ key: [UInt8]) {
        changes.append(.delete(key: key))
    }

    /// Changes added so far (a later change to the same key replaces an earlier one).
    public var count: Int { changes.count }

    public var isEmpty: Bool { changes.isEmpty }

    /// The changes with only the last one per key kept, in their original order.
    var lastChangePerKey: [Change] {
        var seen = Set<[UInt8]>()
        var kept: [Change] = []
        for change in changes.reversed() where seen.insert(change.key).inserted { kept.append(change) }
        return kept.reversed()
    }
}
