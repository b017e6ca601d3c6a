/// Splits what a user typed into statements and words, as a POSIX shell would for the parts
/// that matter here: words are separated by spaces; single quotes keep everything literally;
/// double quotes keep spaces and allow `\"`, `\\`, `\n`, `\t` and `\xHH` escapes; a backslash
/// outside quotes escapes the next character; `;` outside quotes ends a statement; `>` starts a
/// redirection of the output to a file (`get k > out.jpg`).
public enum CommandLineTokenizer {
    /// One statement: its words, and the file its output goes to, if redirected.
    public struct Statement: Equatable, Sendable {
        public var words: [String]
        public var outputFile: String?

        public init(words: [String], outputFile: String? = nil) {
            self.words = words
            self.outputFile = outputFile
        }
    }

    /// Why a line could not be split.
    public struct Failure: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    public static func statements(in line: String) throws(Failure) -> [Statement] {
        var statements: [Statement] = []
        var words: [String] = []
        var outputFile: String?
        var expectingFile = false
        var word = ""
        var inWord = false
        var characters = Array(line.unicodeScalars)[...]

        func endWord() throws(Failure) {
            guard inWord else { return }
            if expectingFile {
                outputFile = word
                expectingFile = false
            } else {
                words.append(word)
            }
            word = ""
            inWord = false
        }
        func endStatement() throws(Failure) {
            try endWord()
            if expectingFile { throw Failure(description: "'>' needs a file name after it") }
            if !words.isEmpty { statements.append(Statement(words: words, outputFile: outputFile)) } else if outputFile != nil {
                throw Failure(description: "'>' needs a command before it")
            }
            words = []
            outputFile = nil
        }

        while let character = characters.popFirst() {
            switch character {
            case " ", "\t", "\n", "\r":
                try endWord()
            case ";":
                try endStatement()
            case ">":
                try endWord()
                if outputFile != nil || expectingFile { throw Failure(description: "only one '>' redirection per command") }
                expectingFile = true
            case "'":
                inWord = true
                guard let end = characters.firstIndex(of: "'") else {
                    throw Failure(description: "a single quote is not closed; end the text with '")
                }
                word.unicodeScalars.append(contentsOf: characters[..<end])
                characters = characters[(end + 1)...]
            case "\"":
                inWord = true
                var closed = false
                while let next = characters.popFirst() {
                    if next == "\"" {
                        closed = true
                        break
                    }
                    if next == "\\" {
                        word.unicodeScalars.append(contentsOf: try escaped(&characters))
                    } else {
                        word.unicodeScalars.append(next)
                    }
                }
                guard closed else { throw Failure(description: "a double quote is not closed; end the text with \"") }
            case "\\":
                inWord = true
                guard let next = characters.popFirst() else {
                    throw Failure(description: "a backslash ends the line; escape something after it, or write \\\\ for a backslash")
                }
                word.unicodeScalars.append(next)
            default:
                inWord = true
                word.unicodeScalars.append(character)
            }
        }
        try endStatement()
        return statements
    }

    /// The character an escape inside double quotes stands for (the backslash is taken).
    private static func escaped(_ characters: inout ArraySlice<Unicode.Scalar>) throws(Failure) -> [Unicode.Scalar] {
        guard let next = characters.popFirst() else { throw Failure(description: "a double quote is not closed; end the text with \"") }
        switch next {
        case "n": return ["\n"]
        case "t": return ["\t"]
        case "r": return ["\r"]
        case "0": return ["\0"]
        case "x":
            let digits = String(String.UnicodeScalarView(characters.prefix(2)))
            guard digits.count == 2, let value = UInt8(digits, radix: 16) else {
                throw Failure(description: "\\x needs two hex digits, as in \\x41")
            }
            guard value < 0x80 else {
                throw Failure(description: "\\x\(digits) is not a text character; write bytes as a 0x... or b64:... value instead")
            }
            characters = characters.dropFirst(2)
            return [Unicode.Scalar(value)]
        case "\"", "\\", "'", "$": return [next]
        default: return ["\\", next]
        }
    }
}
