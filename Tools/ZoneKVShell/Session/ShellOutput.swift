import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Where the shell's results and messages go: results to standard output (or to the file a
/// command's output is redirected to), errors and progress to standard error, so scripts read
/// results alone.
public final class ShellOutput: @unchecked Sendable {
    private let writeResult: ([UInt8]) -> Void
    private let writeMessage: (String) -> Void
    /// Colour and progress bars: for a person at a terminal.
    public let isTerminal: Bool
    /// Where results go instead while a command's output is redirected.
    private var redirected: [UInt8]?
    /// Results not written yet: written in large pieces, and before any message.
    private var pending: [UInt8] = []

    public init(isTerminal: Bool, result: @escaping ([UInt8]) -> Void, message: @escaping (String) -> Void) {
        self.isTerminal = isTerminal
        writeResult = result
        writeMessage = message
    }

    /// Standard output and standard error.
    public static func standard(isTerminal: Bool) -> ShellOutput {
        ShellOutput(
            isTerminal: isTerminal, result: { writeAll($0, to: 1) }, message: { writeAll(Array($0.utf8), to: 2) })
    }

    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { return }  // a closed pipe: nothing more can be said
                offset += written
            }
        }
    }

    /// A line of results.
    func line(_ text: String) { bytes(Array((text + "\n").utf8)) }

    /// Raw result bytes (a value sent to a file).
    func bytes(_ bytes: [UInt8]) {
        if redirected != nil {
            redirected!.append(contentsOf: bytes)
            return
        }
        pending.append(contentsOf: bytes)
        if pending.count >= 64 << 10 { flush() }
    }

    /// An error or a notice, on standard error.
    func message(_ text: String) {
        flush()
        writeMessage(text.hasSuffix("\n") ? text : text + "\n")
    }

    /// Progress on standard error, redrawn in place on a terminal; nothing otherwise.
    func progress(_ text: String) {
        guard isTerminal else { return }
        writeMessage("\r\u{1B}[K" + text)
    }

    func endProgress() {
        guard isTerminal else { return }
        writeMessage("\r\u{1B}[K")
    }

    /// Whether results are going to a file (`> FILE`): values go there as raw bytes.
    var isRedirected: Bool { redirected != nil }

    /// Runs `body` with results collected, and returns them.
    func capturing(_ body: () throws -> Void) rethrows -> [UInt8] {
        redirected = []
        defer { redirected = nil }
        try body()
        return redirected!
    }

    /// Writes the results held back.
    public func flush() {
        guard !pending.isEmpty else { return }
        writeResult(pending)
        pending.removeAll(keepingCapacity: true)
    }
}
