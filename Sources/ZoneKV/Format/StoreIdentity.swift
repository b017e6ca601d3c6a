/// Which store a device holds: a random tag that every append unit of the store carries, a
/// generation that grows with each format of the device, and the geometry it was made for.
///
/// Formatting resets every zone it can, but a zone that wore out to read-only keeps its old
/// units; recovery accepts only units with the tag of the newest store header, so an old
/// store's data never comes back into a new one.
struct StoreIdentity: Hashable, Sendable {
    var tag: UInt32
    var generation: UInt64
    /// The device geometry the store was formatted on (`nil` in headers of the first stores).
    var geometry: GeometryFingerprint?

    /// A new store's identity for a device of `geometry`, after the newest generation found on
    /// the device (if any).
    static func new(after previous: StoreIdentity?, geometry: GeometryFingerprint) -> StoreIdentity {
        StoreIdentity(tag: UInt32.random(in: 1...UInt32.max), generation: (previous?.generation ?? 0) + 1, geometry: geometry)
    }

    private static let text = Array("ZoneKV store, format \(AppendUnitFormat.version)".utf8)

    /// The value of the store header record: the text above, then u32 tag and u64 generation,
    /// then the geometry fingerprint (see `GeometryFingerprint`).
    var headerValue: [UInt8] {
        var value = StoreIdentity.text
        withUnsafeBytes(of: tag.littleEndian) { value.append(contentsOf: $0) }
        withUnsafeBytes(of: generation.littleEndian) { value.append(contentsOf: $0) }
        if let geometry { geometry.append(to: &value) }
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
            generation: UInt64(littleEndian: value.loadUnaligned(fromByteOffset: text.count + 4, as: UInt64.self)),
            geometry: GeometryFingerprint(UnsafeRawBufferPointer(rebasing: value[(text.count + 12)...])))
    }

    init(tag: UInt32, generation: UInt64, geometry: GeometryFingerprint? = nil) {
        self.tag = tag
        self.generation = generation
        self.geometry = geometry
    }
}
