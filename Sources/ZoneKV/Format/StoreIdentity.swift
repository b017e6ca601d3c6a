/// Which store a device holds: a random tag that every append unit of the store carries, and a
/// generation that grows with each format of the device.
///
/// Formatting resets every zone it can, but a zone that wore out to read-only keeps its old
/// units; recovery accepts only units with the tag of the newest store header, so an old
/// store's data never comes back into a new one.
struct StoreIdentity: Hashable, Sendable {
    var tag: UInt32
    var generation: UInt64

    /// A new store's identity, after the newest generation found on the device (if any).
    static func new(after previous: StoreIdentity?) -> StoreIdentity {
        StoreIdentity(tag: UInt32.random(in: 1...UInt32.max), generation: (previous?.generation ?? 0) + 1)
    }

    private static let text = Array("ZoneKV store, format \(AppendUnitFormat.version)".utf8)

    /// The value of the store header record: the text above, then u32 tag and u64 generation.
    var headerValue: [UInt8] {
        var value = StoreIdentity.text
        withUnsafeBytes(of: tag.littleEndian) { value.append(contentsOf: $0) }
        withUnsafeBytes(of: generation.littleEndian) { value.append(contentsOf: $0) }
        return value
    }

    /// Reads a store header's value; a header without a tag (the first stores) is tag 0.
    init?(headerValue value: UnsafeRawBufferPointer) {
        let text = StoreIdentity.text
        guard value.count >= text.count, value.prefix(text.count).elementsEqual(text) else { return nil }
        guard value.count >= text.count + 12 else {
            self.init(tag: 0, generation: 0)
            return
        }
        self.init(
            tag: UInt32(littleEndian: value.loadUnaligned(fromByteOffset: text.count, as: UInt32.self)),
            generation: UInt64(littleEndian: value.loadUnaligned(fromByteOffset: text.count + 4, as: UInt64.self)))
    }

    init(tag: UInt32, generation: UInt64) {
        self.tag = tag
        self.generation = generation
    }
}
