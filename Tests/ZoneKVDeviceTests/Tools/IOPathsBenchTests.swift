import Foundation
import Testing

/// `zonekv-bench iopaths`, run as a user would: on an emulated device on the host, and on the
/// guest's real NVMe namespace (`ZONEKV_TEST_IOPATHS_DEVICE`, /dev/ng0n2, which also has a block
/// device) from the test harness.
@Suite(.serialized)
struct IOPathsBenchTests {
    private static let nvmeDevice = ProcessInfo.processInfo.environment["ZONEKV_TEST_IOPATHS_DEVICE"].flatMap { $0.isEmpty ? nil : $0 }

    /// The IOPS table's cells by path name.
    private func iopsRows(of output: String) -> [String: [String]] {
        let table = output.components(separatedBy: "IOPS by queue depth:\n").last?.components(separatedBy: "\n\n").first ?? ""
        var rows: [String: [String]] = [:]
        for line in table.split(separator: "\n").dropFirst(2) {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            if let name = cells.first { rows[name] = Array(cells.dropFirst()) }
        }
        return rows
    }

    @Test("iopaths measures every path the device can take, at every depth, and says why it skips the others")
    func iopathsPrintsItsTable() throws {
        let bench = URL(fileURLWithPath: defaultToolPath()).deletingLastPathComponent().appendingPathComponent("zonekv-bench").path
        let plot = NSTemporaryDirectory() + "zonekv-iopaths-\(UUID().uuidString).svg"
        defer { try? FileManager.default.removeItem(atPath: plot) }
        let device = Self.nvmeDevice.map { " --device \($0)" } ?? ""
        let result = runShellCommand("\(bench) iopaths\(device) --queue-depths 1,4 --seconds 0.2 --plot \(plot)")
        #expect(result.status == 0, "\(result.output)")
        let rows = iopsRows(of: result.output)
        func measured(_ path: String) -> Bool {
            guard let cells = rows[path], cells.count == 2 else { return false }
            return cells.allSatisfy { cell in cell.last == "k" || cell.last == "M" || (Double(cell) ?? 0) > 0 }
        }
        #expect(measured("io_uring passthrough"), "\(result.output)")
        #expect(measured("io_uring passthrough + fixed buffers"), "\(result.output)")
        #expect(measured("io_uring passthrough + SQPOLL"), "\(result.output)")
        if Self.nvmeDevice != nil {
            #expect(measured("ioctl, thread pool"), "\(result.output)")
            #expect(measured("io_uring passthrough + IOPOLL"), "\(result.output)")
            #expect(measured("io_uring passthrough + IOPOLL + fixed buffers + SQPOLL"), "\(result.output)")
            #expect(measured("block layer: io_uring, O_DIRECT"), "\(result.output)")
            #expect(measured("block layer: io_uring, O_DIRECT + IOPOLL + fixed buffers"), "\(result.output)")
            // The blocking ioctl is measured at depth 1 only: it never has more in flight.
            #expect(rows["ioctl, synchronous"]?.first.map { $0 != "-" && $0 != "n/a" } == true, "\(result.output)")
            #expect(rows["ioctl, synchronous"]?.last == "-", "\(result.output)")
        } else {
            for path in ["ioctl, synchronous", "ioctl, thread pool", "block layer: io_uring, O_DIRECT"] {
                #expect(rows[path] == ["n/a", "n/a"], "\(result.output)")
                #expect(result.output.contains("\(path): not measured: the"), "\(result.output)")
            }
            #expect(result.output.contains("needs an NVMe device"))
        }
        let percentiles = result.output.components(separatedBy: "p50 / p99 / p99.9:\n").last?.components(separatedBy: "\n\n").first ?? ""
        let uring = percentiles.split(separator: "\n").first { $0.hasPrefix("| io_uring passthrough ") }
        let cell = uring?.split(separator: "|").dropFirst().first?.split(separator: "/").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        #expect(cell?.count == 3 && cell == cell?.sorted(), "latency percentiles rise from p50 to p99.9: \(percentiles)")
        let svg = (try? String(contentsOfFile: plot, encoding: .utf8)) ?? ""
        #expect(svg.hasPrefix("<svg") && svg.contains("io_uring passthrough") && svg.contains("<polyline"), "\(svg.prefix(300))")

        let bad = runShellCommand("\(bench) iopaths --queue-depths 2000")
        #expect(bad.status != 0 && bad.output.contains("--queue-depths takes numbers from 1 to 1024"), "\(bad.output)")
        // A plot that cannot be written fails before anything is measured.
        let unwritable = runShellCommand("\(bench) iopaths --plot /nonexistent-folder/plot.svg")
        #expect(unwritable.status != 0 && unwritable.output.contains("cannot write the plot to /nonexistent-folder/plot.svg"), "\(unwritable.output)")
        #expect(!unwritable.output.contains("preparing"), "\(unwritable.output)")
    }
}
