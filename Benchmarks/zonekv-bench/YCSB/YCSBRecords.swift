import YCSB

/// YCSB records as stored values: `fieldCount` fields of `fieldLength` bytes, back to back, so
/// an update of one field reads the record, replaces that field and writes the record back
/// (as YCSB's RocksDB binding does).
struct YCSBRecords {
    let fieldCount: Int
    let fieldLength: Int

    var recordBytes: Int { fieldCount * fieldLength }

    /// A new record's value: printable bytes, as YCSB's random byte iterator makes.
    func record(using random: inout FastRandom) -> [UInt8] {
        var value = [UInt8](repeating: 0, count: recordBytes)
        fill(&value, range: 0..<recordBytes, using: &random)
        return value
    }

    /// `record` with field `field` rewritten.
    func updating(_ record: [UInt8], field: Int, using random: inout FastRandom) -> [UInt8] {
        var value = record.count == recordBytes ? record : [UInt8](repeating: 0, count: recordBytes)
        fill(&value, range: field * fieldLength..<(field + 1) * fieldLength, using: &random)
        return value
    }

    /// Printable bytes (32...126), eight from each random number, each byte scaled into the 95
    /// printable values by a multiply and shift (no division: the load is sensitive to this loop).
    private func fill(_ value: inout [UInt8], range: Range<Int>, using random: inout FastRandom) {
        var index = range.lowerBound
        while index < range.upperBound {
            var bits = random.next()
            let end = min(index + 8, range.upperBound)
            while index < end {
                value[index] = 32 &+ UInt8(truncatingIfNeeded: ((bits & 0xFF) &* 95) >> 8)
                bits >>= 8
                index += 1
            }
        }
    }
}
