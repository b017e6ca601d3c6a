import Foundation
import ZoneKV
import ZoneKVLineEditor
import ZoneKVShell

/// The shell at a terminal: a banner, a prompt, line editing with history and completion.
struct InteractiveShell {
    let session: ShellSession

    /// History is kept in `$ZONEKV_HISTORY`, else `~/.zonekv_history`.
    private var historyFile: String {
        ProcessInfo.processInfo.environment["ZONEKV_HISTORY"]
            ?? (NSHomeDirectory() as NSString).appendingPathComponent(".zonekv_history")
    }

    func run() {
        let store = session.store
        let editor = LineEditor(name: "zonekv", historyFile: historyFile) { [session] before, word in
            session.completions(lineBeforeWord: before, word: word)
        }
        defer { editor.saveHistory() }
        print("ZoneKV shell on \(store.path): \(store.recovery.keys) keys. Type help for the commands, quit to leave.")
        if !store.recovery.offlineZones.isEmpty {
            print("warning: the device reports zones \(store.recovery.offlineZones.map(String.init).joined(separator: ", ")) offline; keys whose newest value was there are lost. Copy out what you need and replace the device.")
        }
        while !session.isFinished {
            let prompt = session.batchSize.map { "zonekv(batch of \($0))> " } ?? "zonekv> "
            guard let line = editor.readLine(prompt: prompt) else {
                print()
                break
            }
            session.run(line: line)
        }
    }
}
