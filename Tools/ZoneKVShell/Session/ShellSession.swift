import Foundation
public import ZoneKV

/// A shell on one store: runs lines of commands, prints results, and counts what failed.
///
/// Every command's failure is reported on standard error and leaves the session running; the
/// store is untouched by a command that fails before it writes (bad words, a missing file).
public final class ShellSession: @unchecked Sendable {
    public let store: Store
    public let output: ShellOutput
    /// The batch being built between `batch` and `commit` / `abort`.
    var batch: WriteBatch?
    /// Commands that failed so far: a script exits non-zero if any did.
    public private(set) var failures = 0
    /// Set by `quit`.
    public private(set) var isFinished = false
    let openedAt = Date()

    public init(store: Store, output: ShellOutput) {
        self.store = store
        self.output = output
    }

    /// Runs one line: one or more statements separated by `;`.
    public func run(line: String) {
        let statements: [CommandLineTokenizer.Statement]
        do throws(CommandLineTokenizer.Failure) {
            statements = try CommandLineTokenizer.statements(in: line)
        } catch {
            fail("error: \(error.description)")
            return
        }
        for statement in statements where !isFinished { run(statement) }
        output.flush()
    }

    /// Runs one command given as words (`zonekv get user42`).
    public func run(words: [String]) {
        run(CommandLineTokenizer.Statement(words: words, outputFile: nil))
        output.flush()
    }

    /// The words of a batch in progress, for the prompt.
    public var batchSize: Int? { batch?.count }

    func finish() { isFinished = true }

    private func run(_ statement: CommandLineTokenizer.Statement) {
        let name = statement.words[0].lowercased()
        guard let command = CommandTable.command(named: name) else {
            let suggestion = CommandTable.suggestion(for: name).map { "; did you mean '\($0)'?" } ?? ""
            fail("error: unknown command '\(statement.words[0])'\(suggestion) (help lists the commands)")
            return
        }
        let arguments = Array(statement.words.dropFirst())
        guard command.arguments.contains(arguments.count) else {
            let expected =
                command.arguments.lowerBound == command.arguments.upperBound
                ? "\(command.arguments.lowerBound)" : "\(command.arguments.lowerBound) to \(command.arguments.upperBound)"
            fail("error: \(command.name) takes \(expected) argument\(command.arguments.upperBound == 1 ? "" : "s"), not \(arguments.count): \(command.synopsis)")
            return
        }
        let invocation = ShellInvocation(session: self, words: arguments)
        do {
            if let file = statement.outputFile {
                let bytes = try output.capturing { try command.run(invocation) }
                guard FileManager.default.createFile(atPath: file, contents: Data(bytes)) else {
                    throw ShellError("cannot write \(file): check that its folder exists and is writable")
                }
            } else {
                try command.run(invocation)
            }
        } catch let error as StoreError {
            fail("error: \(error.message) [\(error.code)]")
        } catch {
            fail("error: \(error)")
        }
    }

    private func fail(_ message: String) {
        failures += 1
        output.flush()
        output.message(message)
    }
}
