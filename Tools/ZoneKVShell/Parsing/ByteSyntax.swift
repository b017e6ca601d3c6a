import Foundation

/// How keys and values are written in the shell, and how they are shown.
///
/// A word is text (its UTF-8 bytes), `0x` followed by hex digits, `b64:` followed by base64, or,
/// for values, `@path`: the contents of a file. Output shows bytes that are printable UTF-8 text
/// as they are and anything else as `0x` hex, so what the shell prints can be typed back.
public enum ByteSyntax {
    public struct Failure: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// The bytes a key word stands for.
    public static func key(_ word: String) throws(Failure) -> [UInt8] {
        if word.hasPrefix("@") {
            throw Failure(description: "keys cannot come from files ('\(word)'); write the key as text, 0x hex or b64:")
        }
        return try bytes(word)
    }

    /// The bytes a value word stands for; `@path` reads the file.
    public static func value(_ word: String, maximumBytes: Int) throws(Failure) -> [UInt8] {
        guard word.hasPrefix("@") else { return try bytes(word) }
        let path = String(word.dropFirst())
        guard !path.isEmpty else { throw Failure(description: "'@' needs a file name after it, as in @photo.jpg") }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw Failure(description: "cannot read \(path): no such file")
        }
        guard !isDirectory.boolValue else { throw Failure(description: "cannot read \(path): it is a directory") }
        let attributes = try? FileManager.default.attributesOfItem(atPath: URL(fileURLWithPath: path).resolvingSymlinksInPath().path)
        // A device or pipe (say /dev/zero) has no size to check and may never end.
        guard attributes?[.type] as? FileAttributeType == .typeRegular else {
            throw Failure(description: "cannot read \(path): it is not a regular file")
        }
        let size = attributes?[.size] as? Int ?? 0
        guard size <= maximumBytes else {
            throw Failure(description: "\(path) holds \(size) bytes, more than the \(maximumBytes) a value may have")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure(description: "cannot read \(path): permission denied or not a regular file")
        }
        return [UInt8](data)
    }

    private static func bytes(_ word: String) throws(Failure) -> [UInt8] {
        if word.hasPrefix("0x") || word.hasPrefix("0X") {
            let digits = Array(word.utf8.dropFirst(2))
            guard digits.count % 2 == 0 else { throw Failure(description: "'\(word)': hex needs an even number of digits") }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(digits.count / 2)
            for index in stride(from: 0, to: digits.count, by: 2) {
                guard let high = hexValue(digits[index]), let low = hexValue(digits[index + 1]) else {
                    throw Failure(description: "'\(word)' is not hex: use the digits 0-9 and a-f after 0x")
                }
                bytes.append(high << 4 | low)
            }
            return bytes
        }
        if word.hasPrefix("b64:") {
            guard let data = Data(base64Encoded: String(word.dropFirst(4))) else {
                throw Failure(description: "'\(word)' is not valid base64 after b64:")
            }
            return [UInt8](data)
        }
        return Array(word.utf8)
    }

    private static func hexValue(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Bytes as the shell shows them: printable UTF-8 text as is, anything else as `0x` hex.
    /// Text that would read back as something else (a leading `0x`, `b64:` or `@`) is shown
    /// as hex too.
    public static func display(_ bytes: [UInt8]) -> String {
        if let text = String(validating: bytes, as: UTF8.self), isPrintable(text) { return text }
        return hex(bytes)
    }

    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var output = [UInt8]("0x".utf8)
        output.reserveCapacity(2 + bytes.count * 2)
        for byte in bytes {
            output.append(digits[Int(byte >> 4)])
            output.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static func isPrintable(_ text: String) -> Bool {
        guard !text.hasPrefix("0x"), !text.hasPrefix("0X"), !text.hasPrefix("b64:"), !text.hasPrefix("@") else { return false }
        return text.unicodeScalars.allSatisfy { scalar in
            scalar.value >= 0x20 && scalar.value != 0x7F && !(0x80..<0xA0).contains(scalar.value)
        }
    }
}
