import Foundation
import Testing
import YCSB

/// Property files and overrides as YCSB reads them, and the six core workload files shipped
/// with the benchmark.
struct WorkloadPropertiesTests {
    private static let workloads = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Benchmarks/workloads")

    private func workload(_ name: String) throws -> CoreWorkload {
        var properties = WorkloadProperties()
        let path = Self.workloads.appendingPathComponent(name)
        try properties.read(try String(contentsOf: path, encoding: .utf8), source: path.path)
        return try CoreWorkload(properties)
    }

    @Test func theCoreWorkloadsAreYCSBs() throws {
        let a = try workload("workloada")
        #expect(a.proportions[.read] == 0.5 && a.proportions[.update] == 0.5 && a.requestDistribution == .zipfian)
        #expect(a.fieldCount == 10 && a.fieldLength == 100 && a.hashedInsertOrder && !a.writeAllFields)
        #expect(try workload("workloadb").proportions[.update] == 0.05)
        #expect(try workload("workloadc").proportions[.read] == 1)
        let d = try workload("workloadd")
        #expect(d.requestDistribution == .latest && d.proportions[.insert] == 0.05 && d.proportions[.read] == 0.95)
        let e = try workload("workloade")
        #expect(e.proportions[.scan] == 0.95 && e.maxScanLength == 100)
        #expect(e.keySpace == 1000 + 100)
        let f = try workload("workloadf")
        #expect(f.proportions[.readModifyWrite] == 0.5 && f.proportions[.read] == 0.5)
    }

    @Test func overridesWinAndDefaultsAreYCSBs() throws {
        var properties = WorkloadProperties()
        try properties.read("# comment\n\nrecordcount = 10\nrequestdistribution=zipfian\n", source: "test")
        try properties.set("recordcount=1000000")
        let workload = try CoreWorkload(properties)
        #expect(workload.recordCount == 1_000_000)
        #expect(workload.operationCount == 1000)
        #expect(workload.proportions[.read] == 0.95 && workload.proportions[.update] == 0.05)
        #expect(workload.maxScanLength == 1000 && workload.zeroPadding == 1)
        #expect(workload.hotSetFraction == 0.2 && workload.hotOperationFraction == 0.8)
    }

    @Test func badPropertiesGetErrorsThatSayWhat() {
        func failure(_ text: String) -> String? {
            var properties = WorkloadProperties()
            do {
                try properties.read(text, source: "bad.properties")
                _ = try CoreWorkload(properties)
                return nil
            } catch { return error.description }
        }
        #expect(failure("recordcount") == "bad.properties line 1: 'recordcount' is not name=value")
        #expect(failure("recordcount=many") == "recordcount must be a whole number of at least 1, not 'many'")
        #expect(failure("readproportion=1.5") == "readproportion must be a number from 0 to 1, not '1.5'")
        #expect(failure("requestdistribution=gaussian") == "requestdistribution must be one of uniform, zipfian, latest, hotspot, not 'gaussian'")
        #expect(failure("readproportion=0\nupdateproportion=0")?.hasPrefix("every operation proportion is 0") == true)
        var properties = WorkloadProperties()
        #expect(throws: WorkloadProperties.Failure.self) { try properties.set("noequals") }
    }
}
