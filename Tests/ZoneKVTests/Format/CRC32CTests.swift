import Testing
import ZoneKVCodecs

@Suite
struct CRC32CTests {
    @Test("known check values")
    func knownValues() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([]) == 0)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
    }

    @Test("the accelerated and portable checksums agree, and checksums continue across pieces")
    func acceleratedMatchesPortable() {
        var state: UInt64 = 0x1234_5678
        for length in [1, 3, 7, 8, 9, 15, 16, 17, 63, 64, 65, 1000, 4096, 70_001] {
            let bytes = (0..<length).map { _ -> UInt8 in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return UInt8(truncatingIfNeeded: state >> 33)
            }
            let whole = CRC32C.checksum(bytes)
            #expect(whole == CRC32C.portableChecksum(bytes), "length \(length)")
            let split = length / 3
            let continued = CRC32C.checksum(Array(bytes[split...]), continuing: CRC32C.checksum(Array(bytes[..<split])))
            #expect(continued == whole, "length \(length)")
        }
        print("CRC32C hardware accelerated: \(CRC32C.isHardwareAccelerated)")
    }
}
