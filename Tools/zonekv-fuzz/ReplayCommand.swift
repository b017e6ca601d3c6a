#if !FUZZING
import Foundation

/// Without libFuzzer: writes seed corpora made by a real store, or replays inputs (a corpus,
/// or a crash libFuzzer found) through a target, so findings reproduce in a debugger.
@main
enum ReplayCommand {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        do {
            switch arguments.first {
            case "seeds" where arguments.count == 2:
                let counts = try SeedCorpus.write(into: arguments[1])
                for (name, count) in counts { print("\(name): \(count) seeds") }
            case let name? where arguments.count >= 2:
                guard let target = FuzzTarget.named(name) else { throw usage("no target named '\(name)'") }
                var inputs = 0
                for path in arguments.dropFirst() {
                    for file in try files(at: path) {
                        let data = try Data(contentsOf: URL(fileURLWithPath: file))
                        data.withUnsafeBytes { target.run($0) }
                        inputs += 1
                    }
                }
                print("\(name): \(inputs) inputs replayed, no crash")
            default:
                throw usage(nil)
            }
        } catch {
            FileHandle.standardError.write(Data("zonekv-fuzz: \(error)\n".utf8))
            exit(1)
        }
    }

    private static func files(at path: String) throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw usage("\(path) does not exist") }
        guard isDirectory.boolValue else { return [path] }
        return try FileManager.default.contentsOfDirectory(atPath: path).sorted().map { path + "/" + $0 }
    }

    private static func usage(_ problem: String?) -> ReplayError {
        let targets = FuzzTarget.all.map { "  \($0.name): \($0.summary)" }.joined(separator: "\n")
        return ReplayError(
            description: (problem.map { $0 + "\n" } ?? "")
                + "usage: zonekv-fuzz seeds DIRECTORY     write a seed corpus per target into DIRECTORY/<target>\n"
                + "       zonekv-fuzz TARGET FILE|DIR...  run inputs through TARGET (Tools/fuzz fuzzes them)\n"
                + "targets:\n" + targets)
    }
}

struct ReplayError: Error, CustomStringConvertible {
    var description: String
}
#endif
