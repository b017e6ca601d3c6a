import Foundation
import Testing

/// The `zonekv device` commands and `zonekv-bench device`, run as a user would run them.
@Suite(.serialized)
struct CommandLineToolTests {
    private func zonekv(_ arguments: String) -> (output: String, status: Int32) {
        runShellCommand("\(defaultToolPath()) \(arguments)")
    }

    @Test("create, inspect, append, read and reset an emulated device from the command line")
    func deviceCommands() throws {
        let path = temporaryDevicePath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let created = zonekv("device create \(path) --zone-size 3M --zone-capacity 2560K --zones 6 --max-open 4 --max-active 8")
        #expect(created.status == 0, "\(created.output)")
        let info = zonekv("device info --device \(path)")
        #expect(info.output.contains("not a power of two"))
        #expect(info.output.contains("2.5 MiB (640 blocks)"))
        let appended = zonekv("device append --device \(path) --zone 2 --text hello --flush")
        #expect(appended.output.contains("at LBA 1536"), "\(appended.output)")
        let read = zonekv("device read --device \(path) --lba 1536")
        #expect(read.output.contains("|hello"), "\(read.output)")
        let zones = zonekv("device zones --device \(path)")
        #expect(zones.output.split(separator: "\n").count == 7)
        #expect(zones.output.contains("implicitly-opened"))
        let reset = zonekv("device zone-action reset --device \(path) --zone 2")
        #expect(reset.output.contains("zone 2 is now empty"), "\(reset.output)")
    }

    @Test("bad input gets an error that says what was wrong")
    func badInput() throws {
        let path = temporaryDevicePath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let missing = zonekv("device info --device \(path)")
        #expect(missing.status != 0)
        #expect(missing.output.contains("does not exist"))
        let badSize = zonekv("device create \(path) --zone-size 96Q")
        #expect(badSize.status != 0)
        #expect(badSize.output.contains("--zone-size takes a size such as 96M"))
        let badCapacity = zonekv("device create \(path) --zone-size 64M --zone-capacity 80M")
        #expect(badCapacity.output.contains("at most the zone size"), "\(badCapacity.output)")
        #expect(!FileManager.default.fileExists(atPath: path))
        _ = zonekv("device create \(path) --zones 2")
        let badZone = zonekv("device append --device \(path) --zone 9 --text x")
        #expect(badZone.output.contains("--zone must be between 0 and 1"), "\(badZone.output)")
        let both = zonekv("device zone-action reset --device \(path) --zone 1 --all")
        #expect(both.output.contains("exactly one of --zone N or --all"), "\(both.output)")
    }

    @Test("every YCSB core workload runs on ZoneKV and reports in YCSB's format")
    func ycsbWorkloadsRun() throws {
        let bench = URL(fileURLWithPath: defaultToolPath()).deletingLastPathComponent().appendingPathComponent("zonekv-bench").path
        let workloads = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Benchmarks/workloads").path
        let expected: [String: [String]] = [
            "a": ["READ", "UPDATE"], "b": ["READ", "UPDATE"], "c": ["READ"], "d": ["READ", "INSERT"], "e": ["SCAN", "INSERT"],
            "f": ["READ", "READ-MODIFY-WRITE"],
        ]
        for (name, operations) in expected.sorted(by: { $0.key < $1.key }) {
            let result = runShellCommand(
                "\(bench) ycsb -P \(workloads)/workload\(name) -p recordcount=2000 -p operationcount=4000 --threads 2 --engine all --status-seconds 0 --baseline-seconds \(name == "c" ? "0.2" : "0")")
            #expect(result.status == 0, "workload \(name): \(result.output)")
            // Every engine's run is reported in YCSB's "[SERIES], Metric, value" lines.
            let sections = result.output.components(separatedBy: "== engine ").dropFirst()
            #expect(sections.map { $0.prefix { $0 != "\n" } } == ["zonekv", "rocksdb", "lmdb"], "workload \(name): \(result.output)")
            for section in sections {
                let engine = section.prefix { $0 != "\n" }
                let after = section.components(separatedBy: "== run\n").last ?? ""
                let lines = after.split(separator: "\n").prefix { $0.hasPrefix("[") }
                let run = lines.joined(separator: "\n")
                #expect(lines.count >= 10 && lines.allSatisfy { $0.split(separator: ",").count == 3 }, "workload \(name) on \(engine): \(after)")
                #expect(run.contains("[OVERALL], Throughput(ops/sec), "))
                for operation in operations {
                    #expect(run.contains("[\(operation)], Return=OK, "), "workload \(name) on \(engine) has no \(operation): \(run)")
                    #expect(run.contains("[\(operation)], 99thPercentileLatency(us), "))
                }
                #expect(!run.contains("-FAILED"), "workload \(name) on \(engine): \(run)")
            }
            if name == "c" {
                #expect(result.output.contains("device baseline at queue depth 2: 4 KiB random reads"), "\(result.output)")
                #expect(result.output.contains("of the device's record-size appends"), "\(result.output)")
                #expect(result.output.contains("of the device's read IOPS"))
                #expect(result.output.contains("ZoneKV's scratch device has 512-byte blocks") && result.output.contains("2-block Zone Appends"))
            }
        }
        // The peers run the same workload code, a table puts them side by side, and a plot
        // draws each engine's throughput and each operation's latency percentiles.
        let plot = NSTemporaryDirectory() + "zonekv-ycsb-\(UUID().uuidString).svg"
        defer { try? FileManager.default.removeItem(atPath: plot) }
        let all = runShellCommand(
            "\(bench) ycsb -P \(workloads)/workloada -p recordcount=2000 -p operationcount=4000 --engine all --status-seconds 0 --baseline-seconds 0 --plot \(plot)")
        #expect(all.status == 0, "\(all.output)")
        #expect(all.output.contains("equal footing: 2000 records of 10 x 100 bytes"))
        #expect(all.output.contains("== engine rocksdb") && all.output.contains("== engine lmdb"))
        let header = all.output.split(separator: "\n").first { $0.hasPrefix("| measure") }.map(String.init) ?? ""
        #expect(header.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }.starts(with: ["measure", "zonekv", "rocksdb", "lmdb"]), "\(all.output)")
        #expect(all.output.contains("| UPDATE p99 (us) "))
        // Each engine's peak memory, measured: a number of MiB above zero in every column.
        let memory = all.output.split(separator: "\n").first { $0.hasPrefix("| peak memory (MiB)") }.map(String.init) ?? ""
        let megabytes = memory.split(separator: "|").dropFirst().prefix(3).compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        #expect(megabytes.count == 3 && megabytes.allSatisfy { $0 > 0 }, "\(all.output)")
        let svg = (try? String(contentsOfFile: plot, encoding: .utf8)) ?? ""
        #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>"))
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 3 + 3 * 2, "a throughput line per engine, a latency line per engine and operation")
        #expect(svg.contains(">lmdb UPDATE</text>"))
        // JSON: one document on standard output, with every operation counted once.
        let json = runShellCommand(
            "(\(bench) ycsb -P \(workloads)/workloadb -p recordcount=1000 -p operationcount=3000 --status-seconds 0 --baseline-seconds 0 --warm-up 0.2 --format json 2>/dev/null)")
        let document = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any]
        let series = ((document?["zonekv"] as? [String: Any])?["run"] as? [String: Any])?["series"] as? [String: [String: Any]]
        #expect(series.map { $0.values.compactMap { $0["operations"] as? Int }.reduce(0, +) } == 3000, "\(json.output)")
        // The scratch device's block size is a choice (512 bytes by default), printed with the
        // equal footing; the baseline reads 4 KiB either way and appends a record's blocks.
        let large = runShellCommand(
            "\(bench) ycsb -P \(workloads)/workloadc -p recordcount=500 -p operationcount=500 --block-size 4096 --status-seconds 0 --baseline-seconds 0.1")
        #expect(large.status == 0 && large.output.contains("ZoneKV's scratch device has 4096-byte blocks"), "\(large.output)")
        #expect(large.output.contains("4 KiB random reads") && large.output.contains("1-block Zone Appends"), "\(large.output)")
        let badBlocks = runShellCommand("\(bench) ycsb --block-size 1024")
        #expect(badBlocks.status != 0 && badBlocks.output.contains("--block-size takes 512 or 4096"), "\(badBlocks.output)")
        let bad = runShellCommand("\(bench) ycsb -p readproportion=2")
        #expect(bad.status != 0 && bad.output.contains("readproportion must be a number from 0 to 1, not '2'"), "\(bad.output)")
    }

    @Test("the device benchmark runs and prints its table")
    func benchmarkRuns() throws {
        let bench = URL(fileURLWithPath: defaultToolPath()).deletingLastPathComponent().appendingPathComponent("zonekv-bench").path
        let result = runShellCommand("\(bench) device --seconds 0.2 --rounds 1 --queue-depths 1,4 --no-fio --read-zones 1")
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("| 4 KiB random read, IOPS"))
        #expect(result.output.contains("Zone Append, MiB/s"))
        for depths in ["0", "1,x", "4,,16"] {
            // A malformed entry is refused, never skipped.
            let bad = runShellCommand("\(bench) device --queue-depths \(depths)")
            #expect(bad.status != 0 && bad.output.contains("--queue-depths takes numbers from 1 to 1024"), "\(depths): \(bad.output)")
        }
    }
}
