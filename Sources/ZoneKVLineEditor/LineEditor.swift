import CLibEdit

#if canImport(Glibc)
import Glibc
#endif

/// Line editing at a terminal, through libedit: arrow keys and emacs bindings, Ctrl-R history
/// search, history kept in a file across runs, and tab completion from a callback. One line
/// editor exists per process (libedit's readline interface is global).
public final class LineEditor {
    /// Completes the word under the cursor: given the whole line up to the cursor and the word
    /// being completed, returns the candidates.
    public typealias Completer = (_ lineBeforeWord: String, _ word: String) -> [String]

    private let historyFile: String?

    /// - Parameters:
    ///   - name: The application name libedit reads its settings (~/.editrc) under.
    ///   - historyFile: Where history is loaded from and saved to (`nil`: not kept).
    public init(name: String, historyFile: String?, completer: @escaping Completer) {
        self.historyFile = historyFile
        LineEditorState.completer = completer
        LineEditorState.name = strdup(name)
        zonekv_edit_set_name(LineEditorState.name)
        // libedit's own handlers caught SIGHUP and kept the process alive after its terminal
        // went away, holding the store's device. Ours put the terminal back as it was and end
        // the process (the store is crash-safe, and the kernel drops the device lock).
        zonekv_edit_set_catch_signals(0)
        LineEditor.endOnSignals()
        zonekv_edit_set_completion { text, start, _ in
            // Completion replaces the word libedit found; the rest of the line is context.
            let line = zonekv_edit_line_buffer().map { String(cString: $0) } ?? ""
            let before = String(line.utf8.prefix(Int(start))) ?? ""
            let word = text.map { String(cString: $0) } ?? ""
            LineEditorState.candidates = LineEditorState.completer?(before, word) ?? []
            LineEditorState.position = 0
            zonekv_edit_completion_done()  // no file name completion as a fallback
            return rl_completion_matches(text) { _, _ in
                guard LineEditorState.position < LineEditorState.candidates.count else { return nil }
                defer { LineEditorState.position += 1 }
                return strdup(LineEditorState.candidates[LineEditorState.position])
            }
        }
        if let historyFile { _ = read_history(historyFile) }
    }

    /// Reads a line after showing `prompt`; `nil` at end of input (Ctrl-D). Lines with text are
    /// added to the history.
    public func readLine(prompt: String) -> String? {
        guard let raw = readline(prompt) else { return nil }
        defer { free(raw) }
        let line = String(cString: raw)
        if !line.allSatisfy(\.isWhitespace) { _ = add_history(line) }
        return line
    }

    /// On a hang-up, interrupt (Ctrl-C), quit or terminate: restore the terminal's settings
    /// from before line editing changed them, and exit with 128 + the signal's number.
    private static func endOnSignals() {
        guard tcgetattr(STDIN_FILENO, terminalAtStart) == 0 else { return }
        // A parent may have blocked them (a test runner's thread, whose mask a child inherits).
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        for number in [SIGHUP, SIGINT, SIGQUIT, SIGTERM] {
            signal(number) { number in
                _ = tcsetattr(STDIN_FILENO, TCSANOW, terminalAtStart)
                _exit(128 + number)
            }
            sigaddset(&unblocked, number)
        }
        pthread_sigmask(SIG_UNBLOCK, &unblocked, nil)
    }

    /// Writes the history to its file.
    public func saveHistory() {
        if let historyFile { _ = write_history(historyFile) }
    }
}

/// The terminal's settings before line editing, restored by the signal handlers (which cannot
/// capture context either). Written once, before any handler is installed. Raw room rather than
/// a Swift `termios`: the C library's struct is larger than Swift's import of it (60 bytes
/// against 57 on x86-64 glibc), and AddressSanitizer caught tcgetattr writing past one.
nonisolated(unsafe) private let terminalAtStart = UnsafeMutableRawPointer.allocate(byteCount: 256, alignment: 16)
    .bindMemory(to: termios.self, capacity: 1)

/// What libedit's C callbacks reach (they cannot capture context). Touched only from the thread
/// reading lines.
private enum LineEditorState {
    nonisolated(unsafe) static var completer: LineEditor.Completer?
    nonisolated(unsafe) static var candidates: [String] = []
    nonisolated(unsafe) static var position = 0
    nonisolated(unsafe) static var name: UnsafeMutablePointer<CChar>?
}
