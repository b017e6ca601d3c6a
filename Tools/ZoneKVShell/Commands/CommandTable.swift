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

    /// Edit distance counting insertions, deletions, substitutions and swaps of two neighbours
    /// (the usual typing slips: "gte" is one edit from "get").
    static func editDistance(_ left: String, _ right: String) -> Int {
        let left = Array(left)
        let right = Array(right)
        guard !left.isEmpty, !right.isEmpty else { return max(left.count, right.count) }
        var distance = [[Int]](repeating: [Int](repeating: 0, count: right.count + 1), count: left.count + 1)
        for row in 0...left.count { distance[row][0] = row }
        for column in 0...right.count { distance[0][column] = column }
        for row in 1...left.count {
            for column in 1...right.count {
                let substitution = left[row - 1] == right[column - 1] ? 0 : 1
                distance[row][column] = min(distance[row - 1][column] + 1, distance[row][column - 1] + 1, distance[row - 1][column - 1] + substitution)
                if row > 1, column > 1, left[row - 1] == right[column - 2], left[row - 2] == right[column - 1] {
                    distance[row][column] = min(distance[row][column], distance[row - 2][column - 2] + 1)
                }
            }
        }
        return distance[left.count][right.count]
    }
}
