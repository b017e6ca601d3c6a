import Testing
import ZoneKVCodecs

@Suite
struct LZ4Tests {
    @Test("compressible data round-trips smaller; incompressible data is left alone")
    func roundTrip() throws {
        let text = Array(String(repeating: "zoned storage is append only; ", count: 200).utf8)
        let compressed = try #require(LZ4.compress(text))
        #expect(compressed.count < text.count / 4)
        #expect(LZ4.decompress(compressed, originalCount: text.count) == text)

        var state: UInt64 = 42
        let noise = (0..<4096).map { _ -> UInt8 in
            state = state &* 6_364_136_223_846_793_005 &+ 1
            return UInt8(truncatingIfNeeded: state >> 40)
        }
        #expect(LZ4.compress(noise) == nil)
        #expect(LZ4.compress([]) == nil)
    }

    @Test("damaged or wrongly sized input is reported, never returned as data")
    func damagedInput() throws {
        let text = Array(String(repeating: "abcdefgh", count: 500).utf8)
        var compressed = try #require(LZ4.compress(text))
        #expect(LZ4.decompress(compressed, originalCount: text.count + 1) == nil)
        #expect(LZ4.decompress(compressed, originalCount: text.count - 1) == nil)
        compressed[compressed.count / 2] ^= 0xFF
        compressed.removeLast(3)
        #expect(LZ4.decompress(compressed, originalCount: text.count) == nil)
    }
}
