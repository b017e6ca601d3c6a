import Foundation
import Testing
import ZoneKVDevice

#if canImport(Glibc)
import Glibc
#endif

/// The `zonekv` tool as people and scripts run it: a scripted session through standard input
/// checked line by line, `-c`, commands as subcommands, the default device, exit codes, and an
/// interactive session in a terminal (tmux) that edits a line, completes, searches and recalls
/// history, and draws the zone map in colour.
@Suite(.serialized) struct ZoneKVToolTests {
    /// The built `zonekv`, beside the test bundle.
    static var tool: String { defaultToolPath() }

    /// `ZONEKV_TEST_STORE_DEVICE` (a real device in the guest), else a new emulated device file.
    static func devicePath(in directory: String) -> String {
        ProcessInfo.processInfo.environment["ZONEKV_TEST_STORE_DEVICE"].flatMap { $0.isEmpty ? nil : $0 } ?? directory + "/store.zns"
    }

    struct Run {
        var results: [String]
        var errors: [String]
        var status: Int32
    }

    /// Runs `zonekv` with `arguments` in `directory`, `input` on standard input. Through the
    /// shell with files for the three streams: Foundation's Process needs a socket pair, which
    /// the guest does not have.
    static func zonekv(_ arguments: [String], input: String = "", in directory: String, environment: [String: String] = [:]) throws -> Run {
        let run = directory + "/run-\(UUID().uuidString.prefix(8))"
        try Data(input.utf8).write(to: URL(fileURLWithPath: run + ".in"))
        defer { for stream in ["in", "out", "err"] { try? FileManager.default.removeItem(atPath: "\(run).\(stream)") } }
        let settings = environment.map { "\($0.key)=\(quoted($0.value))" }.joined(separator: " ")
        let command =
            "cd \(quoted(directory)) && \(settings) \(quoted(tool)) \(arguments.map(quoted).joined(separator: " ")) < \(quoted(run + ".in")) > \(quoted(run + ".out")) 2> \(quoted(run + ".err"))"
        let status = runShellCommand("(\(command))").status  // in a subshell: its own redirections stand
        func lines(_ path: String) -> [String] {
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        }
        return Run(results: lines(run + ".out"), errors: lines(run + ".err"), status: status)
    }

    /// `text` in single quotes for /bin/sh.
    static func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    static func temporaryDirectory() throws -> String {
        let directory = NSTemporaryDirectory() + "zonekv-tool-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test func aScriptedSessionPrintsResultsOnlyAndFailsIfACommandFailed() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let device = Self.devicePath(in: directory)
        _ = try Self.zonekv(["format", "--device", device, "--force"], in: directory)
        try Data("first line\nsecond".utf8).write(to: URL(fileURLWithPath: directory + "/note.txt"))
        let script = """
            put user42 "Ada Lovelace"
            get user42
            put note @note.txt
            get note > copy.txt
            exists user42
            get nobody
            batch
            put a 1
            del user42
            commit
            scan
            count
            bogus command
            check
            """
        let run = try Self.zonekv(["--device", device], input: script, in: directory)
        #expect(run.results.prefix(9) == ["OK", "Ada Lovelace", "OK", "1", "(nil)", "OK", "QUEUED", "QUEUED", "OK"])
        #expect(run.results[9...11] == ["a\t1", "note\t0x6669727374206c696e650a7365636f6e64", "2"])
        #expect(run.results.last?.hasSuffix("2 keys: all intact") == true)
        #expect(run.errors == ["error: unknown command 'bogus' (help lists the commands)"])
        #expect(run.status == 1)
        #expect(try String(contentsOfFile: directory + "/copy.txt", encoding: .utf8) == "first line\nsecond")

        let clean = try Self.zonekv(["--device", device], input: "get a\nexists note\n", in: directory)
        #expect(clean.results == ["1", "1"])
        #expect(clean.errors.isEmpty)
        #expect(clean.status == 0)
    }

    @Test func commandsRunFromTheCommandLineToo() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let device = Self.devicePath(in: directory)
        _ = try Self.zonekv(["format", "--device", device, "--force"], in: directory)
        let environment = ["ZONEKV_DEVICE": device]
        #expect(try Self.zonekv(["-c", "put k 'v 1'; get k; del k; get k"], in: directory, environment: environment).results == ["OK", "v 1", "OK", "(nil)"])
        #expect(try Self.zonekv(["put", "user42", "hello there"], in: directory, environment: environment).results == ["OK"])
        #expect(try Self.zonekv(["get", "user42"], in: directory, environment: environment).results == ["hello there"])
        let stats = try Self.zonekv(["stats"], in: directory, environment: environment)
        #expect(stats.results.first == "keys                 1")
        let check = try Self.zonekv(["check"], in: directory, environment: environment)
        #expect(check.status == 0 && check.results.last?.hasSuffix("1 keys: all intact") == true)
        #expect(try Self.zonekv(["export", "out.jsonl"], in: directory, environment: environment).results == ["exported 1 keys to out.jsonl"])
        let wrong = try Self.zonekv(["gte", "user42"], in: directory, environment: environment)
        #expect(wrong.errors == ["error: unknown command 'gte'; did you mean 'get'? (help lists the commands)"])
        #expect(wrong.status == 1)
    }

    @Test func theDefaultDeviceIsCreatedInTheCurrentDirectoryAndSaysSo() throws {
        guard ProcessInfo.processInfo.environment["ZONEKV_TEST_STORE_DEVICE"].map({ $0.isEmpty }) ?? true else { return }
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try Self.zonekv(["put", "k", "v"], in: directory, environment: ["ZONEKV_DEVICE": ""])
        #expect(first.results == ["OK"])
        #expect(first.errors.count == 1 && first.errors[0].hasPrefix("created zonekv.zns: an emulated zoned device of 64 zones"))
        #expect(FileManager.default.fileExists(atPath: directory + "/zonekv.zns"))
        let second = try Self.zonekv(["get", "k"], in: directory, environment: ["ZONEKV_DEVICE": ""])
        #expect(second.results == ["v"])
        #expect(second.errors.isEmpty)
    }

    // MARK: At a terminal

    /// A `zonekv` shell running in a tmux pane on a private tmux server.
    struct Terminal {
        let socket = "zonekv-test-\(getpid())-\(UUID().uuidString.prefix(8))"

        /// Runs tmux and returns what it printed. A command that may start the tmux server
        /// does not capture, or the server would hold the pipe open.
        @discardableResult
        func tmux(_ arguments: [String], capturing: Bool = true) throws -> String {
            let command = (["tmux", "-L", socket] + arguments).map(ZoneKVToolTests.quoted).joined(separator: " ")
            return runShellCommand(capturing ? command : "(\(command) >/dev/null 2>&1)").output
        }

        /// Starts `command` in the pane; with `blockingHangUps`, SIGHUP is blocked in the mask
        /// it inherits, as a careless parent would leave it.
        func start(_ command: String, blockingHangUps: Bool = false) throws {
            guard blockingHangUps else {
                try tmux(["new-session", "-d", "-s", "shell", "-x", "150", "-y", "40", command], capturing: false)
                return
            }
            var hangUp = sigset_t()
            var previous = sigset_t()
            sigemptyset(&hangUp)
            sigaddset(&hangUp, SIGHUP)
            pthread_sigmask(SIG_BLOCK, &hangUp, &previous)
            defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
            let arguments = ["tmux", "-L", socket, "new-session", "-d", "-s", "shell", "-x", "150", "-y", "40", command]
            if let stream = popen("(\(arguments.map(ZoneKVToolTests.quoted).joined(separator: " ")) >/dev/null 2>&1)", "r") { pclose(stream) }
        }

        /// Sends keys: text is typed literally unless `named` (Enter, Tab, Up, C-a, ...).
        func type(_ text: String) throws { _ = try tmux(["send-keys", "-t", "shell", "-l", text]) }
        func press(_ keys: String...) throws { _ = try tmux(["send-keys", "-t", "shell"] + keys) }

        var screen: String { (try? tmux(["capture-pane", "-p", "-t", "shell"])) ?? "" }

        /// Waits until the screen shows `text` `times` times (10 s at most) and returns the screen.
        @discardableResult
        func waitFor(_ text: String, times: Int = 1) -> String {
            var shown = screen
            for _ in 0..<200 where shown.components(separatedBy: text).count - 1 < times {
                usleep(50_000)
                shown = screen
            }
            return shown
        }

        func stop() { _ = try? tmux(["kill-server"], capturing: false) }
    }

    @Test func anInteractiveSessionEditsCompletesAndRemembersLines() throws {
        // The guest has no tmux: its run of this suite covers the scripted sessions.
        guard ProcessInfo.processInfo.environment["ZONEKV_TEST_STORE_DEVICE"].map({ $0.isEmpty }) ?? true else { return }
        let tmuxInstalled = (try? Terminal().tmux(["-V"]))?.hasPrefix("tmux") ?? false
        try #require(tmuxInstalled, "tmux is needed for this test: apt-get install tmux (Tools/install-deps does)")
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // Zones of 1 MiB, so a little data shows on the zone map.
        let device = directory + "/store.zns"
        let created = try Self.zonekv(["device", "create", device, "--zone-size", "1M", "--zone-capacity", "1M", "--zones", "8"], in: directory)
        try #require(created.status == 0, "\(created.errors)")
        _ = try Self.zonekv(["format", "--device", device], in: directory)
        let values = (0..<100).map { "put value-\($0) 0x" + String(repeating: String(format: "%02x", $0), count: 2000) }
        _ = try Self.zonekv(["--device", device], input: values.joined(separator: "\n"), in: directory)
        let terminal = Terminal()
        defer { terminal.stop() }
        let command = "ZONEKV_HISTORY=\(directory)/history \(Self.tool) --device \(device)"
        try terminal.start(command)
        #expect(terminal.waitFor("Type help for the commands").contains("zonekv>"))

        try terminal.type("put user1 hello")
        try terminal.press("Enter")
        #expect(terminal.waitFor("OK").contains("zonekv> put user1 hello\nOK"))

        // A typo fixed with the editing keys: to the start (Ctrl-A), one right, insert.
        try terminal.type("gt user1")
        try terminal.press("C-a", "Right")
        try terminal.type("e")
        try terminal.press("Enter")
        #expect(terminal.waitFor("\nhello").contains("zonekv> get user1\nhello"))

        // Completion of a command, then of a key.
        try terminal.type("pre")
        try terminal.press("Tab")
        try terminal.type("us")
        try terminal.press("Tab")
        try terminal.press("Enter")
        var screen = terminal.waitFor("user1   hello")
        #expect(screen.contains("zonekv> prefix user1"), "\(screen)")

        // History: the line before, again.
        try terminal.press("Up")
        try terminal.press("Enter")
        screen = terminal.waitFor("user1   hello", times: 2)
        #expect(screen.components(separatedBy: "zonekv> prefix user1").count - 1 == 2, "\(screen)")

        // Ctrl-R finds the put in the history; Enter runs it again.
        try terminal.press("C-r")
        try terminal.type("put user")
        try terminal.press("Enter")
        screen = terminal.waitFor("\nOK", times: 2)
        #expect(screen.components(separatedBy: "\nOK").count - 1 == 2, "\(screen)")

        // The zone map is drawn in colour at a terminal.
        try terminal.type("zones")
        try terminal.press("Enter")
        terminal.waitFor("zones, ")
        let colored = try terminal.tmux(["capture-pane", "-p", "-e", "-t", "shell"])
        #expect(colored.contains("\u{1B}[33m░") && colored.contains("\u{1B}[34m█"), "\(colored.debugDescription)")

        try terminal.type("quit")
        try terminal.press("Enter")
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: directory + "/history") { usleep(50_000) }
        // libedit's history file escapes spaces as \040.
        let history = ((try? String(contentsOfFile: directory + "/history", encoding: .utf8)) ?? "").replacingOccurrences(of: "\\040", with: " ")
        #expect(history.contains("put user1 hello") && history.contains("prefix user1"), "\(history)")

        // A new session (on a new tmux server) recalls the last session's lines.
        let again = Terminal()
        defer { again.stop() }
        try again.start(command)
        again.waitFor("Type help for the commands")
        try again.press("Up")
        #expect(again.waitFor("zonekv> quit").contains("zonekv> quit"))
    }

    /// A shell that hears a hang-up ends and gives the device back, even when it was started
    /// with hang-ups blocked (a parent's mask is inherited): it used to sit on the device.
    @Test func aShellThatHearsAHangUpEndsAndReleasesTheDevice() throws {
        guard ProcessInfo.processInfo.environment["ZONEKV_TEST_STORE_DEVICE"].map({ $0.isEmpty }) ?? true else { return }
        let tmuxInstalled = (try? Terminal().tmux(["-V"]))?.hasPrefix("tmux") ?? false
        try #require(tmuxInstalled, "tmux is needed for this test: apt-get install tmux (Tools/install-deps does)")
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let device = directory + "/store.zns"
        let terminal = Terminal()
        defer { terminal.stop() }
        try terminal.start("\(Self.tool) --device \(device)", blockingHangUps: true)
        #expect(terminal.waitFor("Type help for the commands").contains("zonekv>"))
        let shell = try #require(Int32(try terminal.tmux(["list-panes", "-t", "shell", "-F", "#{pane_pid}"]).trimmingCharacters(in: .whitespacesAndNewlines)))
        kill(shell, SIGHUP)
        var released = false
        for _ in 0..<100 where !released {
            released = (try? ZonedDevice.open(device)) != nil
            if !released { usleep(50_000) }
        }
        #expect(released, "the shell still holds \(device) 5 s after a hang-up")
    }

    /// `--rebuild-index` opens from the whole log instead of the checkpoint, with the same data.
    @Test func rebuildIndexOpensFromTheLog() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let device = Self.devicePath(in: directory)
        _ = try Self.zonekv(["format", "--device", device, "--force"], in: directory)
        _ = try Self.zonekv(["--device", device, "-c", "put a 1; put b 2; del a"], in: directory)
        let rebuilt = try Self.zonekv(["--device", device, "--rebuild-index", "-c", "get a; get b; stats"], in: directory)
        #expect(rebuilt.status == 0, "\(rebuilt.errors)")
        #expect(rebuilt.results.prefix(2) == ["(nil)", "2"])
        #expect(rebuilt.results.contains { $0.hasPrefix("last open") && !$0.contains(" 0 units replayed") }, "\(rebuilt.results)")
    }
}
