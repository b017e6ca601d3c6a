import Foundation
import Testing
import ZoneKV
import ZoneKVShell

/// A shell session on an emulated store, checked line by line: the output contract, batches,
/// values in every syntax, help, completion, and bad input that changes nothing.
@Suite(.serialized) struct ShellSessionTests {
    /// A session whose results and messages are collected.
    final class Transcript: @unchecked Sendable {
        let session: ShellSession
        let path: String

        init() throws {
            path = NSTemporaryDirectory() + "zonekv-shell-\(UUID().uuidString).zns"
            var geometry = EmulatedGeometry()
            geometry.blockSize = 512
            geometry.zoneSizeBytes = 4 << 20
            geometry.zoneCapacityBytes = 4 << 20
            geometry.zoneCount = 16
            var options = StoreOptions()
            options.emulatedGeometry = geometry
            let store = try Store.open(path, options: options)
            var output: ShellOutput!
            let box = Box()
            output = ShellOutput(
                isTerminal: false, result: { box.results.append(String(decoding: $0, as: UTF8.self)) },
                message: { box.messages.append($0) })
            session = ShellSession(store: store, output: output)
            self.box = box
        }

        private let box: Box
        final class Box: @unchecked Sendable {
            var results = ""
            var messages = ""
        }

        /// Runs `line` and returns its result lines and error lines.
        func run(_ line: String) -> (results: [String], errors: [String]) {
            box.results = ""
            box.messages = ""
            session.run(line: line)
            func lines(_ text: String) -> [String] { text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init) }
            return (lines(box.results), lines(box.messages))
        }

        func close() {
            try? session.store.close()
            try? FileManager.default.removeItem(atPath: path)
        }
    }

    @Test func theOutputContract() throws {
        let shell = try Transcript()
        defer { shell.close() }
        #expect(shell.run("put user42 \"Ada Lovelace\"").results == ["OK"])
        #expect(shell.run("get user42").results == ["Ada Lovelace"])
        #expect(shell.run("get nobody").results == ["(nil)"])
        #expect(shell.run("exists user42; exists nobody").results == ["1", "0"])
        #expect(shell.run("put blob 0xdeadbeef; put coded b64:aGVsbG8=").results == ["OK", "OK"])
        #expect(shell.run("get blob; get coded").results == ["0xdeadbeef", "hello"])
        #expect(shell.run("put 0x00ff binary-key").results == ["OK"])
        #expect(shell.run("scan").results == ["0x00ff\tbinary-key", "blob\t0xdeadbeef", "coded\thello", "user42\tAda Lovelace"])
        #expect(shell.run("scan b d").results == ["blob\t0xdeadbeef", "coded\thello"])
        #expect(shell.run("scan - - 1").results == ["0x00ff\tbinary-key"])
        #expect(shell.run("prefix user").results == ["user42\tAda Lovelace"])
        #expect(shell.run("count").results == ["4"])
        #expect(shell.run("del user42; get user42; del user42").results == ["OK", "(nil)", "OK"])
        #expect(shell.session.failures == 0)
    }

    @Test func batchesApplyAtCommitOrNotAtAll() throws {
        let shell = try Transcript()
        defer { shell.close() }
        #expect(shell.run("put kept 1; batch; put a 1; put b 2; del kept").results == ["OK", "OK", "QUEUED", "QUEUED", "QUEUED"])
        #expect(shell.session.batchSize == 3)
        #expect(shell.run("get a").results == ["(nil)"])
        #expect(shell.run("commit; get a; get b; get kept").results == ["OK", "1", "2", "(nil)"])
        #expect(shell.run("batch; put c 3; abort; get c").results == ["OK", "QUEUED", "OK", "(nil)"])
        #expect(shell.run("commit").errors == ["error: no batch is open; start one with batch"])
        #expect(shell.run("batch; batch").errors == ["error: a batch is already open; commit or abort it first"])
    }

    @Test func filesInAndOut() throws {
        let shell = try Transcript()
        defer { shell.close() }
        let directory = NSTemporaryDirectory() + "zonekv-shell-files-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let photo = (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 8) }
        try Data(photo).write(to: URL(fileURLWithPath: directory + "/photo.jpg"))
        #expect(shell.run("put photo @\(directory)/photo.jpg").results == ["OK"])
        #expect(shell.run("get photo > \(directory)/out.jpg").results == [])
        #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: directory + "/out.jpg"))) == photo)

        #expect(shell.run("put text 'hello world'; put bin 0x0001ff").results == ["OK", "OK"])
        #expect(shell.run("export \(directory)/all.jsonl").results == ["exported 3 keys to \(directory)/all.jsonl"])
        #expect(shell.run("del text; del bin; del photo; count").results == ["OK", "OK", "OK", "0"])
        #expect(shell.run("import \(directory)/all.jsonl").results == ["imported 3 keys from \(directory)/all.jsonl"])
        #expect(shell.run("get text; get bin").results == ["hello world", "0x0001ff"])
        #expect(shell.run("get photo > \(directory)/again.jpg").errors == [])
        #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: directory + "/again.jpg"))) == photo)

        try Data("{\"key\": \"fine\", \"value\": \"1\"}\nnot json\n".utf8).write(to: URL(fileURLWithPath: directory + "/bad.jsonl"))
        #expect(shell.run("import \(directory)/bad.jsonl").errors == ["error: line 2 is not a JSON object such as {\"key\": \"a\", \"value\": \"b\"}"])
        #expect(shell.run("get fine").results == ["(nil)"], "a bad import writes nothing")
    }

    @Test func badInputGetsAClearErrorAndWritesNothing() throws {
        let shell = try Transcript()
        defer { shell.close() }
        #expect(shell.run("put k v").results == ["OK"])
        let before = shell.session.failures
        #expect(shell.run("gte k").errors == ["error: unknown command 'gte'; did you mean 'get'? (help lists the commands)"])
        #expect(shell.run("frobnicate").errors == ["error: unknown command 'frobnicate' (help lists the commands)"])
        #expect(shell.run("put onlykey").errors == ["error: put takes 2 arguments, not 1: put KEY VALUE"])
        #expect(shell.run("get a b").errors == ["error: get takes 1 argument, not 2: get KEY"])
        #expect(shell.run("put k 'unclosed").errors == ["error: a single quote is not closed; end the text with '"])
        #expect(shell.run("put k 0xabc").errors == ["error: '0xabc': hex needs an even number of digits"])
        #expect(shell.run("put k b64:@@@").errors == ["error: 'b64:@@@' is not valid base64 after b64:"])
        #expect(shell.run("put k @/nonexistent/file").errors == ["error: cannot read /nonexistent/file: no such file"])
        #expect(shell.run("put '' v").errors == ["error: keys cannot be empty"])
        #expect(shell.run("put @k v").errors.first?.contains("keys cannot come from files") == true)
        #expect(shell.run("put \(String(repeating: "k", count: 5000)) v").errors.first?.contains("longer than the 4096 bytes") == true)
        #expect(shell.run("scan - - zero").errors == ["error: LIMIT must be a whole number of at least 1, not 'zero'"])
        // A value larger than the store takes: a sparse file, checked before it is read.
        let large = NSTemporaryDirectory() + "zonekv-large-\(UUID().uuidString)"
        #expect(FileManager.default.createFile(atPath: large, contents: nil))
        defer { try? FileManager.default.removeItem(atPath: large) }
        let handle = try #require(FileHandle(forWritingAtPath: large))
        try handle.truncate(atOffset: UInt64(shell.session.store.maxValueBytes + 1))
        try handle.close()
        #expect(shell.run("put huge @\(large)").errors.first?.contains("more than the \(shell.session.store.maxValueBytes) a value may have") == true)
        // A device or pipe has no size to check and may never end.
        #expect(shell.run("put endless @/dev/zero").errors == ["error: cannot read /dev/zero: it is not a regular file"])
        #expect(shell.session.failures == before + 14)
        #expect(shell.run("scan").results == ["k\tv"], "nothing was written by the failed commands")
    }

    @Test func binaryKeysAndValuesAndInvalidUTF8WorkAsBytes() throws {
        let shell = try Transcript()
        defer { shell.close() }
        #expect(shell.run("put 0xff00fe 0xc328").results == ["OK"])
        #expect(try shell.session.store.get([0xFF, 0x00, 0xFE]) == [0xC3, 0x28])
        #expect(shell.run("get 0xff00fe").results == ["0xc328"], "invalid UTF-8 is shown as hex, which reads back")
        #expect(shell.run("put b64:AAEC \"tab\there\"").results == ["OK"])
        #expect(try shell.session.store.get([0, 1, 2]) != nil)
        #expect(shell.run("put emoji \"💾 zoned\"").results == ["OK"])
        #expect(shell.run("get emoji").results == ["💾 zoned"])
        #expect(shell.run("delete 0xff00fe").errors == [])
        #expect(try shell.session.store.get([0xFF, 0x00, 0xFE]) == nil)
    }

    @Test func helpAndCompletion() throws {
        let shell = try Transcript()
        defer { shell.close() }
        let help = shell.run("help").results
        for name in ["put", "get", "del", "exists", "scan", "prefix", "count", "batch", "commit", "abort", "stats", "zones", "gc", "checkpoint", "info", "check", "export", "import", "help", "quit"] {
            #expect(help.contains { $0.hasPrefix(name + " ") || $0.hasPrefix(name + "\t") }, "help lists \(name)")
        }
        #expect(shell.run("help put").results.contains("  put photo @photo.jpg"))
        #expect(shell.run("help pot").errors == ["error: no command 'pot'; did you mean 'put'?"])
        _ = shell.run("put user1 a; put user2 b; put other c")
        #expect(shell.session.completions(lineBeforeWord: "", word: "ch") == ["checkpoint", "check"])
        #expect(shell.session.completions(lineBeforeWord: "get ", word: "us") == ["user1", "user2"])
        #expect(shell.session.completions(lineBeforeWord: "put x 1; get ", word: "o") == ["other"])
        #expect(shell.session.completions(lineBeforeWord: "help ", word: "ex") == ["exists", "export"])
        #expect(shell.session.completions(lineBeforeWord: "get user1 ", word: "") == [])
    }

    @Test func maintenanceCommands() throws {
        let shell = try Transcript()
        defer { shell.close() }
        // Values that do not compress (hex of pseudo-random bytes), overwritten six times.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<6 {
            let line = (0..<40).map { key in
                let bytes = (0..<20_000).map { _ in
                    state ^= state << 13
                    state ^= state >> 7
                    state ^= state << 17
                    return String(format: "%02x", Int(state & 0xFF))
                }
                return "put key-\(key) 0x\(bytes.joined())"
            }
            _ = shell.run(line.joined(separator: ";"))
        }
        let checkpoint = shell.run("checkpoint").results
        #expect(checkpoint.count == 1 && checkpoint[0].contains("40 keys"))
        let zones = shell.run("zones").results
        #expect(zones.contains { $0.contains("checkpoint") })
        #expect(zones.contains { $0.contains("sealed") && $0.contains("░") && $0.hasSuffix(" 0%") }, "a zone of overwritten values")
        #expect(zones.contains { $0.contains("user") && $0.contains("█") }, "the zone of the newest values")
        #expect(zones.last?.contains("16 zones") == true)
        let gc = shell.run("gc").results
        #expect(gc.count == 1 && gc[0].hasPrefix("collected"), "\(gc)")
        let check = shell.run("check")
        #expect(check.results.count == 1 && check.results[0].hasSuffix("40 keys: all intact"), "\(check)")
        let stats = shell.run("stats").results
        #expect(stats.first == "keys                 40")
        #expect(stats.contains { $0.hasPrefix("write amplification") })
        #expect(shell.run("info").results.contains { $0.hasPrefix("zones                  16 of 4 MiB") })
        #expect(shell.run("quit").results == [])
        #expect(shell.session.isFinished)
    }
}
