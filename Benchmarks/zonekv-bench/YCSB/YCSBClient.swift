import YCSB

extension YCSBDriver {
    /// One thread's view of the workload: its generators and the operations it performs.
    struct Client {
        let driver: YCSBDriver
        private var operations: WeightedChoice<CoreWorkload.Operation>
        private var random: FastRandom
        private var zipfian: ScrambledZipfianGenerator
        private var latest: SkewedLatestGenerator
        private var hotspot: HotspotGenerator

        init(driver: YCSBDriver, seed: UInt64) {
            self.driver = driver
            let workload = driver.workload
            operations = WeightedChoice(CoreWorkload.Operation.allCases.map { ($0, workload.proportions[$0] ?? 0) }, seed: seed)
            random = FastRandom(seed: seed &+ 1)
            zipfian = ScrambledZipfianGenerator(itemCount: workload.keySpace, seed: seed &+ 2)
            latest = SkewedLatestGenerator(seed: seed &+ 3, initialCount: UInt64(workload.recordCount))
            hotspot = HotspotGenerator(
                itemCount: UInt64(workload.recordCount), hotSetFraction: workload.hotSetFraction,
                hotOperationFraction: workload.hotOperationFraction, seed: seed &+ 4)
        }

        /// The record an operation reads or updates, by the request distribution; never one
        /// whose insert is not yet acknowledged.
        private mutating func chooseRecord() -> UInt64 {
            let inserted = driver.insertSequence.count
            switch driver.workload.requestDistribution {
            case .uniform:
                return random.next(below: UInt64(driver.workload.recordCount))
            case .zipfian:
                while true {
                    let number = zipfian.next()
                    if number < inserted { return number }
                }
            case .latest:
                return latest.next(insertedCount: inserted)
            case .hotspot:
                return hotspot.next()
            }
        }

        mutating func doOperation(into measurements: inout YCSBMeasurements) {
            let engine = driver.engine
            let records = driver.records
            switch operations.next() {
            case .read:
                let key = driver.key(chooseRecord())
                driver.time("READ", into: &measurements) { try engine.get(key) == nil ? "NOT_FOUND" : "OK" }
            case .update:
                let key = driver.key(chooseRecord())
                let field = Int(random.next(below: UInt64(records.fieldCount)))
                driver.time("UPDATE", into: &measurements) { update(key, field: field, engine: engine, records: records) }
            case .insert:
                let number = driver.insertSequence.take()
                let key = driver.key(number)
                let value = records.record(using: &random)
                driver.time("INSERT", into: &measurements) { try engine.put(key, value); return "OK" }
                driver.insertSequence.acknowledge(number)
            case .scan:
                let key = driver.key(chooseRecord())
                let length = 1 + Int(random.next(below: UInt64(driver.workload.maxScanLength)))
                driver.time("SCAN", into: &measurements) { try engine.scan(from: key, count: length) > 0 ? "OK" : "NOT_FOUND" }
            case .readModifyWrite:
                let key = driver.key(chooseRecord())
                let field = Int(random.next(below: UInt64(records.fieldCount)))
                driver.time("READ-MODIFY-WRITE", into: &measurements) { update(key, field: field, engine: engine, records: records) }
            }
        }

        /// Reads the record, rewrites one field, writes it back (YCSB's RocksDB binding does the
        /// same for an update that writes one field).
        private mutating func update(_ key: [UInt8], field: Int, engine: any KeyValueEngine, records: YCSBRecords) -> String {
            do {
                guard let record = try engine.get(key) else { return "NOT_FOUND" }
                try engine.put(key, records.updating(record, field: field, using: &random))
                return "OK"
            } catch {
                return "ERROR"
            }
        }
    }
}
