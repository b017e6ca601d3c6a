/// How YCSB names records: `user` and the FNV-1a hash of the record number (insertorder=hashed),
/// or the number itself (ordered), left-padded with zeros to `zeroPadding` digits.
public enum KeyNames {
    /// FNV-1a over the 8 bytes of `value`, low byte first, made non-negative: YCSB's `fnvhash64`.
    public static func fnvHash64(_ value: UInt64) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        var remaining = value
        for _ in 0..<8 {
            hash ^= remaining & 0xFF
            hash = hash &* 1_099_511_628_211
            remaining >>= 8
        }
        // Java's Math.abs: Long.MIN_VALUE stays as it is.
        let signed = Int64(bitPattern: hash)
        return signed == Int64.min ? UInt64(bitPattern: signed) : UInt64(abs(signed))
    }

    /// The key of record `number`.
    public static func key(_ number: UInt64, hashed: Bool = true, zeroPadding: Int = 1) -> [UInt8] {
        let digits = String(hashed ? fnvHash64(number) : number)
        let padding = max(0, zeroPadding - digits.count)
        return Array(("user" + String(repeating: "0", count: padding) + digits).utf8)
    }
}
