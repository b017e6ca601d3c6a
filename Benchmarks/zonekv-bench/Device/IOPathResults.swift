/// Measurements per path and queue depth, merged over rounds.
struct IOPathResults {
    let paths: [IOPath]
    let depths: [Int]
    /// [path][depth index]
    private(set) var measured: [[LatencyRecorder?]]
    /// Why a path was not measured on this device, or failed part way, by path.
    var unavailable: [String?]

    init(paths: [IOPath], depths: [Int]) {
        self.paths = paths
        self.depths = depths
        measured = Array(repeating: Array(repeating: nil, count: depths.count), count: paths.count)
        unavailable = Array(repeating: nil, count: paths.count)
    }

    mutating func add(_ recorder: LatencyRecorder, path: Int, depth: Int) {
        let column = depths.firstIndex(of: depth)!
        if measured[path][column] == nil {
            measured[path][column] = recorder
        } else {
            measured[path][column]!.merge(recorder)
        }
    }

    func value(path: Int, depth column: Int) -> LatencyRecorder? { measured[path][column] }

    func hasMeasurements(path: Int) -> Bool { measured[path].contains { $0 != nil } }

    /// Paths by row, queue depths by column, each cell formatted by `cell`.
    func table(_ cell: (LatencyRecorder) -> String) -> String {
        var table = TablePrinter(header: ["path"] + depths.map { "QD \($0)" })
        for (index, path) in paths.enumerated() {
            let cells = depths.indices.map { column in
                measured[index][column].map(cell) ?? (unavailable[index] == nil ? "-" : "n/a")
            }
            table.add([path.name] + cells)
        }
        return table.render()
    }
}
