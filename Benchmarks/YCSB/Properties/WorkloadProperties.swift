/// YCSB properties: `name=value` lines from workload files (`-P FILE`, `#` comments, blank
/// lines), then `-p name=value` overrides. Later settings win, as in YCSB.
public struct WorkloadProperties: Sendable, Equatable {
    public private(set) var values: [String: String] = [:]

    public init(_ values: [String: String] = [:]) { self.values = values }

    /// Why properties could not be read.
    public struct Failure: Error, Equatable, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    /// Reads a property file's text; `source` names it in errors.
    public mutating func read(_ text: String, source: String) throws(Failure) {
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: " \t\r")
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix("!") { continue }
            guard let separator = line.firstIndex(where: { $0 == "=" || $0 == ":" }) else {
                throw Failure("\(source) line \(number + 1): '\(line)' is not name=value")
            }
            let name = line[..<separator].trimmingCharacters(in: " \t")
            guard !name.isEmpty else { throw Failure("\(source) line \(number + 1): a property needs a name before '='") }
            values[name] = line[line.index(after: separator)...].trimmingCharacters(in: " \t")
        }
    }

    /// Applies one `-p name=value`.
    public mutating func set(_ assignment: String) throws(Failure) {
        guard let separator = assignment.firstIndex(of: "="), separator != assignment.startIndex else {
            throw Failure("-p takes name=value, as in -p recordcount=100000; '\(assignment)' is not that")
        }
        values[String(assignment[..<separator])] = String(assignment[assignment.index(after: separator)...])
    }

    public subscript(name: String) -> String? {
        get { values[name] }
        set { values[name] = newValue }
    }

    public func integer(_ name: String, default fallback: Int, minimum: Int = 0) throws(Failure) -> Int {
        guard let text = values[name] else { return fallback }
        guard let value = Int(text), value >= minimum else {
            throw Failure("\(name) must be a whole number of at least \(minimum), not '\(text)'")
        }
        return value
    }

    public func fraction(_ name: String, default fallback: Double) throws(Failure) -> Double {
        guard let text = values[name] else { return fallback }
        guard let value = Double(text), value >= 0, value <= 1 else {
            throw Failure("\(name) must be a number from 0 to 1, not '\(text)'")
        }
        return value
    }

    public func choice(_ name: String, default fallback: String, among allowed: [String]) throws(Failure) -> String {
        guard let text = values[name] else { return fallback }
        guard allowed.contains(text) else {
            throw Failure("\(name) must be one of \(allowed.joined(separator: ", ")), not '\(text)'")
        }
        return text
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in characters: String) -> String {
        var trimmed = self[...]
        while let first = trimmed.first, characters.contains(first) { trimmed = trimmed.dropFirst() }
        while let last = trimmed.last, characters.contains(last) { trimmed = trimmed.dropLast() }
        return String(trimmed)
    }
}
