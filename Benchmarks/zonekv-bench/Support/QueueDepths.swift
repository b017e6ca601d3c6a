import ArgumentParser

/// Parses a `--queue-depths` list ("1,4,16"): every entry a number from 1 to 1024, or a
/// `ValidationError` that says so (a malformed entry is never skipped silently).
func parseQueueDepths(_ list: String, example: String) throws -> [Int] {
    let depths = list.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.filter { $0 != " " }) ?? 0 }
    guard !depths.isEmpty, depths.allSatisfy({ (1...1024).contains($0) }) else {
        throw ValidationError("--queue-depths takes numbers from 1 to 1024 separated by commas, e.g. \(example)")
    }
    return depths
}
