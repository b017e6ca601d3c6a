import ArgumentParser

@main
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zonekv-bench",
        abstract: "Benchmarks for ZoneKV, each printed beside a reference measured in the same run.",
        subcommands: [
            DeviceBenchCommand.self, IOPathsCommand.self, StoreBenchCommand.self, CollectionBenchCommand.self, RecoveryBenchCommand.self, YCSBCommand.self,
        ]
    )
}
