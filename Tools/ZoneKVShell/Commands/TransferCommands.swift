import Foundation
import ZoneKV

/// Moving data in and out as JSON Lines: one object per key, `{"key": ..., "value": ...}`, text
/// as JSON strings, other bytes in `key_base64` / `value_base64` instead.
enum TransferCommands {
    static let all = [export, importFile]

    static let export = ShellCommand(
        "export", usage: "FILE", arguments: 1...1, summary: "write every key and value to FILE as JSON Lines",
        examples: ["export backup.jsonl"]
    ) { invocation in
        let path = invocation.words[0]
        guard FileManager.default.createFile(atPath: path, contents: nil), let file = FileHandle(forWritingAtPath: path) else {
            throw ShellError("cannot write \(path): check that its folder exists and is writable")
        }
        defer { try? file.close() }
        var count = 0
        var start: [UInt8]? = nil
        while true {
            let page = try invocation.store.scan(from: start, limit: 1000)
            var lines = Data()
            for pair in page { lines.append(JSONLines.line(key: pair.key, value: pair.value)) }
            file.write(lines)
            count += page.count
            invocation.output.progress("exported \(count) keys")
            guard page.count == 1000, let last = page.last else { break }
            start = last.key + [0]
        }
        invocation.output.endProgress()
        invocation.output.line("exported \(count) keys to \(path)")
    }

    static let importFile = ShellCommand(
        "import", usage: "FILE", arguments: 1...1,
        summary: "put every key and value of a JSON Lines FILE (as export writes); nothing is written if a line is bad",
        examples: ["import backup.jsonl"]
    ) { invocation in
        let path = invocation.words[0]
        guard let data = FileManager.default.contents(atPath: path) else { throw ShellError("cannot read \(path): no such file or not readable") }
        // Every line is checked before anything is written.
        var pairs: [([UInt8], [UInt8])] = []
        for (number, line) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            let (key, value) = try JSONLines.parse(Data(line), lineNumber: number + 1)
            guard !key.isEmpty, key.count <= Store.maxKeyBytes else {
                throw ShellError("line \(number + 1): a key must have 1 to \(Store.maxKeyBytes) bytes")
            }
            guard value.count <= invocation.store.maxValueBytes else {
                throw ShellError("line \(number + 1): the value is larger than the \(invocation.store.maxValueBytes) bytes a value may have")
            }
            pairs.append((key, value))
        }
        var batch = WriteBatch()
        var written = 0
        for (key, value) in pairs {
            batch.put(key, value)
            if batch.count == 1000 {
                try invocation.store.write(batch)
                written += batch.count
                batch = WriteBatch()
                invocation.output.progress("imported \(written) of \(pairs.count) keys")
            }
        }
        if !batch.isEmpty { try invocation.store.write(batch) }
        invocation.output.endProgress()
        invocation.output.line("imported \(pairs.count) keys from \(path)")
    }
}

/// The JSON Lines form of a key and its value.
enum JSONLines {
    static func line(key: [UInt8], value: [UInt8]) -> Data {
        var object: [String: String] = [:]
        field("key", key, into: &object)
        field("value", value, into: &object)
        var data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        data.append(UInt8(ascii: "\n"))
        return data
    }

    private static func field(_ name: String, _ bytes: [UInt8], into object: inout [String: String]) {
        if let text = String(validating: bytes, as: UTF8.self) {
            object[name] = text
        } else {
            object[name + "_base64"] = Data(bytes).base64EncodedString()
        }
    }

    static func parse(_ line: Data, lineNumber: Int) throws -> (key: [UInt8], value: [UInt8]) {
        guard let object = try? JSONSerialization.jsonObject(with: line) as? [String: Any] else {
            throw ShellError("line \(lineNumber) is not a JSON object such as {\"key\": \"a\", \"value\": \"b\"}")
        }
        func bytes(_ name: String) throws -> [UInt8] {
            if let text = object[name] as? String { return Array(text.utf8) }
            if let encoded = object[name + "_base64"] as? String {
                guard let data = Data(base64Encoded: encoded) else { throw ShellError("line \(lineNumber): \(name)_base64 is not valid base64") }
                return [UInt8](data)
            }
            throw ShellError("line \(lineNumber) has no \"\(name)\" (or \"\(name)_base64\") string")
        }
        return (try bytes("key"), try bytes("value"))
    }
}
