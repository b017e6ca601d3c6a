import ArgumentParser

@main
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zonekv-bench",
        abstract: "Benchmarks for ZoneKV.",
        subcommands: []
    )
}
