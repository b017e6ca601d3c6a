/// Every command of the shell, in the order help lists them.
enum CommandTable {
    static let all: [ShellCommand] =
        DataCommands.all + BatchCommands.all + InspectionCommands.all + MaintenanceCommands.all + TransferCommands.all
        + SessionCommands.all

    static func command(named name: String) -> ShellCommand? {
        all.first { $0.name == name } ?? aliases[name].flatMap { alias in all.first { $0.name == alias } }
    }

    /// Other names people type for a command.
    private static let aliases = ["delete": "del", "exit": "quit", "set": "put", "?": "help"]

    /// Command names starting with `prefix`, for completion.
    static func names(startingWith prefix: String) -> [String] {
        all.map(\.name).filter { $0.hasPrefix(prefix.lowercased()) }
    }

    /// The closest command name to a mistyped one, if one is close enough.
    static func suggestion(for typed: String) -> String? {
        let candidates = all.map(\.name) + Array(aliases.keys)
        let scored = candidates.map { ($0, editDistance(typed, $0)) }.min { $0.1 < $1.1 }
        guard let (name, distance) = scored, distance <= max(1, typed.count / 3) else { return nil }
        return command(named: name)?.name ?? name
    }

    /// Levenshtein distance: insertions, deletions and substitutions.
    static func editDistance(_ left: String, _ right: String) -> Int {
        let left = Array(left)
        let right = Array(right)
        var previous = Array(0...right.count)
        for (row, leftCharacter) in left.enumerated() {
            var current = [row + 1] + Array(repeating: 0, count: right.count)
            for (column, rightCharacter) in right.enumerated() {
                current[column + 1] = min(
                    previous[column + 1] + 1, current[column] + 1, previous[column] + (leftCharacter == rightCharacter ? 0 : 1))
            }
            previous = current
        }
        return previous[right.count]
    }
}
