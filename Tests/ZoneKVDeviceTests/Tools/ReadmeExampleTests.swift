import Foundation
import Testing

/// The README's embedding example must compile against the library as built.
@Suite
struct ReadmeExampleTests {
    @Test("the README's Swift examples type-check against the ZoneKV module")
    func readmeExamplesCompile() throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: repository.appendingPathComponent("README.md"), encoding: .utf8)
        let blocks = readme.components(separatedBy: "```swift\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
        let examples = blocks.filter { $0.contains("import ZoneKV") }
        #expect(examples.count >= 2, "README should show the store and the device layer, each importing ZoneKV")
        #expect(examples.contains { $0.contains("Store.open") }, "README has no store example")
        for example in examples { try typecheck(example, repository: repository) }
    }

    private func typecheck(_ example: String, repository: URL) throws {
        let source = FileManager.default.temporaryDirectory.appendingPathComponent("readme-example-\(UUID().uuidString).swift")
        try example.write(to: source, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: source) }

        let build = URL(fileURLWithPath: defaultToolPath()).deletingLastPathComponent()
        let moduleMaps = [
            repository.appendingPathComponent("Sources/CLibURing/module.modulemap").path,
            repository.appendingPathComponent("Sources/CLZ4/module.modulemap").path,
            build.appendingPathComponent("CChecksum.build/module.modulemap").path,
        ]
        let command =
            ["swiftc", "-typecheck", "-I", build.appendingPathComponent("Modules").path]
            + moduleMaps.flatMap { ["-Xcc", "-fmodule-map-file=\($0)"] } + [source.path]
        let (output, status) = runShellCommand(command.joined(separator: " "))
        #expect(status == 0, "the README example does not compile:\n\(output)")
    }
}
