import ZoneKV

/// A command of the shell: its name, what it takes, its help, and what it does.
public struct ShellCommand: Sendable {
    /// The words it takes after its name, for help and errors, e.g. `KEY VALUE`.
    public var usage: String
    public var name: String
    public var summary: String
    /// More help, shown by `help NAME`.
    public var details: String
    public var examples: [String]
    /// How many words it takes after its name.
    public var arguments: ClosedRange<Int>
    var run: @Sendable (ShellInvocation) throws -> Void

    init(
        _ name: String, usage: String = "", arguments: ClosedRange<Int> = 0...0, summary: String, details: String = "",
        examples: [String] = [], run: @escaping @Sendable (ShellInvocation) throws -> Void
    ) {
        self.name = name
        self.usage = usage
        self.arguments = arguments
        self.summary = summary
        self.details = details
        self.examples = examples
        self.run = run
    }

    /// `name usage`, as help shows it.
    public var synopsis: String { usage.isEmpty ? name : "\(name) \(usage)" }
}

/// A command failing for a reason the user can fix: the message says what and how.
public struct ShellError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// One run of a command: its words and the session it runs in.
struct ShellInvocation {
    let session: ShellSession
    let words: [String]
    var store: Store { session.store }
    var output: ShellOutput { session.output }

    func key(_ position: Int) throws -> [UInt8] {
        let key = try ByteSyntax.key(words[position])
        guard !key.isEmpty else { throw ShellError("keys cannot be empty") }
        guard key.count <= Store.maxKeyBytes else {
            throw ShellError("a key of \(key.count) bytes is longer than the \(Store.maxKeyBytes) bytes a key may have")
        }
        return key
    }

    func value(_ position: Int) throws -> [UInt8] {
        try ByteSyntax.value(words[position], maximumBytes: store.maxValueBytes)
    }

    /// A count argument: a whole number of at least `minimum`.
    func count(_ position: Int, naming what: String, minimum: Int = 1) throws -> Int {
        guard let count = Int(words[position]), count >= minimum else {
            throw ShellError("\(what) must be a whole number of at least \(minimum), not '\(words[position])'")
        }
        return count
    }
}
