import ZoneKV

/// Tab completion: command names first, then keys of the store by prefix where a command takes
/// a key.
extension ShellSession {
    /// Commands whose first argument is a key (or a key prefix).
    private static let keyCommands: Set<String> = ["get", "put", "del", "delete", "set", "exists", "scan", "prefix"]

    /// Candidates for `word`, given the line before it.
    public func completions(lineBeforeWord: String, word: String) -> [String] {
        let statement = lineBeforeWord.split(separator: ";", omittingEmptySubsequences: false).last ?? ""
        let words = statement.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        if words.isEmpty { return CommandTable.names(startingWith: word) }
        let command = words[0].lowercased()
        if command == "help" && words.count == 1 { return CommandTable.names(startingWith: word) }
        guard Self.keyCommands.contains(command), words.count == 1 || (command == "scan" && words.count == 2) else { return [] }
        guard let prefix = try? ByteSyntax.key(word), let pairs = try? store.scan(prefix: prefix, limit: 100) else { return [] }
        return pairs.map { ByteSyntax.display($0.key) }
    }
}
