/// YCSB's CoreWorkload settings, read from properties with YCSB's defaults.
public struct CoreWorkload: Sendable, Equatable {
    public enum Operation: String, Sendable, CaseIterable {
        case read = "READ"
        case update = "UPDATE"
        case insert = "INSERT"
        case scan = "SCAN"
        case readModifyWrite = "READ-MODIFY-WRITE"
    }

    public enum Distribution: String, Sendable {
        case uniform, zipfian, latest, hotspot
    }

    public var recordCount: Int
    public var operationCount: Int
    public var fieldCount: Int
    public var fieldLength: Int
    /// Operation proportions, by operation.
    public var proportions: [Operation: Double]
    public var requestDistribution: Distribution
    public var maxScanLength: Int
    public var hashedInsertOrder: Bool
    public var zeroPadding: Int
    public var hotSetFraction: Double
    public var hotOperationFraction: Double
    /// An update writes every field (`writeallfields`), or one.
    public var writeAllFields: Bool

    public init(_ properties: WorkloadProperties) throws(WorkloadProperties.Failure) {
        recordCount = try properties.integer("recordcount", default: 1000, minimum: 1)
        operationCount = try properties.integer("operationcount", default: 1000)
        fieldCount = try properties.integer("fieldcount", default: 10, minimum: 1)
        fieldLength = try properties.integer("fieldlength", default: 100, minimum: 1)
        proportions = [
            .read: try properties.fraction("readproportion", default: 0.95),
            .update: try properties.fraction("updateproportion", default: 0.05),
            .insert: try properties.fraction("insertproportion", default: 0),
            .scan: try properties.fraction("scanproportion", default: 0),
            .readModifyWrite: try properties.fraction("readmodifywriteproportion", default: 0),
        ]
        guard proportions.values.contains(where: { $0 > 0 }) else {
            throw WorkloadProperties.Failure("every operation proportion is 0: set readproportion, updateproportion, ... above 0")
        }
        let distribution = try properties.choice(
            "requestdistribution", default: "uniform", among: ["uniform", "zipfian", "latest", "hotspot"])
        requestDistribution = Distribution(rawValue: distribution)!
        maxScanLength = try properties.integer("maxscanlength", default: 1000, minimum: 1)
        if let scanLengths = properties["scanlengthdistribution"], scanLengths != "uniform" {
            throw WorkloadProperties.Failure("scanlengthdistribution \(scanLengths) is not supported; use uniform")
        }
        hashedInsertOrder = try properties.choice("insertorder", default: "hashed", among: ["hashed", "ordered"]) == "hashed"
        zeroPadding = try properties.integer("zeropadding", default: 1, minimum: 1)
        hotSetFraction = try properties.fraction("hotspotdatafraction", default: 0.2)
        hotOperationFraction = try properties.fraction("hotspotopnfraction", default: 0.8)
        writeAllFields = try properties.choice("writeallfields", default: "false", among: ["true", "false"]) == "true"
    }

    /// Records the key space is sized for: those loaded plus the inserts the run may make
    /// (YCSB's allowance of twice the expected inserts).
    public var keySpace: UInt64 {
        UInt64(recordCount) + UInt64(2 * Double(operationCount) * (proportions[.insert] ?? 0))
    }
}
