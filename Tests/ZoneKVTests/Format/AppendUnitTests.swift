import Testing
import ZoneKVCodecs
import ZoneKVDevice
@testable import ZoneKV

@Suite
struct AppendUnitTests {
    let blockSize = 4096

    struct Record {
        var type: RecordType
        var flags: RecordFlags
        var sequence: UInt64
        var key: [UInt8]
        var value: [UInt8]
    }

    static let records: [Record] = [
        Record(type: .put, flags: [], sequence: 10, key: Array("alpha".utf8), value: Array("one".utf8)),
        Record(type: .delete, flags: [], sequence: 11, key: Array("beta".utf8), value: []),
        Record(type: .put, flags: [.compressed, .inBatch], sequence: 12, key: [], value: [UInt8](repeating: 7, count: 5000)),
        Record(type: .batchCommit, flags: [], sequence: 12, key: [], value: [3, 0, 0, 0]),
        Record(type: .put, flags: [], sequence: 13, key: [UInt8](repeating: 0xEE, count: AppendUnitFormat.maxKeyBytes), value: [1]),
    ]

    /// Encodes `records` as one unit in a fresh buffer; returns the buffer, the unit's blocks
    /// and each record's value offset.
    func encode(_ records: [Record], sequence: UInt64 = 99, capacity: Int = 128 << 10) -> (IOBuffer, Int, [Int]) {
        let buffer = IOBuffer(byteCount: capacity)
        buffer.fill(0xCC)  // stale bytes: sealing must pad with zeros
        var encoder = AppendUnitEncoder(capacity: capacity, blockSize: blockSize)
        var offsets: [Int] = []
        for record in records {
            #expect(encoder.fits(keyCount: record.key.count, valueCount: record.value.count))
            let offset = record.key.withUnsafeBytes { key in
                record.value.withUnsafeBytes { value in
                    encoder.add(record.type, flags: record.flags, sequence: record.sequence, key: key, value: value, into: buffer).valueOffset
                }
            }
            offsets.append(offset)
        }
        let blocks = encoder.seal(sequence: sequence, stream: .user, into: buffer)
        #expect(encoder.isEmpty)
        return (buffer, blocks, offsets)
    }

    @Test("records round-trip through a unit, padded to whole blocks with zeros")
    func roundTrip() throws {
        let (buffer, blocks, offsets) = encode(Self.records)
        let length = AppendUnitFormat.headerBytes + Self.records.reduce(0) { $0 + AppendUnitFormat.recordBytes(keyCount: $1.key.count, valueCount: $1.value.count) }
        #expect(blocks == (length + blockSize - 1) / blockSize)
        let bytes = buffer.bytes(count: blocks * blockSize)
        #expect(bytes[length...].allSatisfy { $0 == 0 })
        let unit = try #require(bytes.withUnsafeBytes { AppendUnitDecoder.decodeUnit(in: $0, at: 0, blockSize: blockSize) })
        #expect(unit.sequence == 99)
        #expect(unit.stream == .user)
        #expect(unit.paddedBytes == blocks * blockSize)
        #expect(unit.records.count == Self.records.count)
        for (index, (decoded, original)) in zip(unit.records, Self.records).enumerated() {
            #expect(decoded.type == original.type)
            #expect(decoded.flags == original.flags)
            #expect(decoded.sequence == original.sequence)
            #expect(Array(bytes[decoded.key]) == original.key)
            #expect(Array(bytes[decoded.value]) == original.value)
            #expect(decoded.value.lowerBound == offsets[index], "the encoder reports where each value lands")
        }
    }

    @Test("any damaged byte makes the unit invalid")
    func corruptionDetected() {
        let (buffer, blocks, _) = encode(Self.records)
        let original = buffer.bytes(count: blocks * blockSize)
        let length = AppendUnitFormat.headerBytes + 16 + 5 + 3  // first record at least
        var positions = Array(0..<length)
        positions += stride(from: length, to: 9000, by: 97)
        for position in positions {
            var damaged = original
            damaged[position] ^= 0x01
            let decoded = damaged.withUnsafeBytes { AppendUnitDecoder.decodeUnit(in: $0, at: 0, blockSize: blockSize) }
            #expect(decoded == nil, "flipping byte \(position) went unnoticed")
        }
    }

    @Test("a unit whose checksum matches but whose record count its payload cannot hold is not a unit")
    func impossibleRecordCount() {
        typealias Field = AppendUnitFormat.HeaderField
        let (buffer, blocks, _) = encode(Self.records)
        var bytes = buffer.bytes(count: blocks * blockSize)
        let length = AppendUnitFormat.headerBytes
            + Int(bytes.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: Field.payloadBytes, as: UInt32.self)) })
        withUnsafeBytes(of: UInt32(0x7FFF_FFFF).littleEndian) { bytes.replaceSubrange(Field.recordCount..<Field.recordCount + 4, with: $0) }
        // The checksum made over again, as a writer of hostile bytes would.
        var checksum = bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[0..<Field.checksum])) }
        checksum = withUnsafeBytes(of: UInt32(0)) { CRC32C.checksum($0, continuing: checksum) }
        checksum = bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[Field.checksum + 4..<length]), continuing: checksum) }
        withUnsafeBytes(of: checksum.littleEndian) { bytes.replaceSubrange(Field.checksum..<Field.checksum + 4, with: $0) }
        #expect(bytes.withUnsafeBytes { AppendUnitDecoder.decodeUnit(in: $0, at: 0, blockSize: blockSize) } == nil)
    }

    @Test("a torn unit (its tail never written) and zeros are not units")
    func tornAndEmpty() {
        let (buffer, blocks, _) = encode(Self.records)
        var torn = buffer.bytes(count: blocks * blockSize)
        for index in (blockSize)..<torn.count { torn[index] = 0 }
        #expect(torn.withUnsafeBytes { AppendUnitDecoder.decodeUnit(in: $0, at: 0, blockSize: blockSize) } == nil)
        let zeros = [UInt8](repeating: 0, count: 2 * blockSize)
        #expect(zeros.withUnsafeBytes { AppendUnitDecoder.decodeUnit(in: $0, at: 0, blockSize: blockSize) } == nil)
        let short = Array(buffer.bytes(count: blocks * blockSize).prefix(20))
        #expect(short.withUnsafeBytes { AppendUnitDecoder.decodeUnit(in: $0, at: 0, blockSize: blockSize) } == nil)
    }

    @Test("scanning a zone finds every intact unit and steps over holes and torn units")
    func scanZone() {
        let first = encode(Array(Self.records.prefix(2)), sequence: 1)
        let second = encode(Array(Self.records.suffix(2)), sequence: 2)
        let third = encode([Self.records[0]], sequence: 3)
        var zone: [UInt8] = []
        zone += first.0.bytes(count: first.1 * blockSize)
        zone += [UInt8](repeating: 0, count: blockSize)  // a hole: an append that never completed
        var tornSecond = second.0.bytes(count: second.1 * blockSize)
        tornSecond[tornSecond.count / 2] ^= 0xFF  // a torn or damaged unit
        zone += tornSecond
        zone += third.0.bytes(count: third.1 * blockSize)
        let (units, skipped) = zone.withUnsafeBytes { AppendUnitDecoder.scanZone($0, blockSize: blockSize) }
        #expect(units.map(\.sequence) == [1, 3])
        #expect(skipped == 1 + second.1)
        #expect(units[1].offset == (first.1 + 1 + second.1) * blockSize)
    }

    @Test("the encoder refuses records beyond its capacity")
    func capacity() {
        var encoder = AppendUnitEncoder(capacity: 8192, blockSize: blockSize)
        #expect(encoder.fits(keyCount: 10, valueCount: 8192 - 32 - 16 - 10))
        #expect(!encoder.fits(keyCount: 10, valueCount: 8192 - 32 - 16 - 10 + 1))
        let buffer = IOBuffer(byteCount: 8192)
        _ = [UInt8](repeating: 1, count: 8000).withUnsafeBytes { value in
            encoder.add(.put, sequence: 1, key: UnsafeRawBufferPointer(start: nil, count: 0), value: value, into: buffer)
        }
        #expect(!encoder.fits(keyCount: 0, valueCount: 200))
        #expect(encoder.fits(keyCount: 0, valueCount: 100))
    }
}
