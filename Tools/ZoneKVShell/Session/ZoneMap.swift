import ZoneKV

/// The zone map: one row per zone with a bar of its live data and garbage, coloured on a
/// terminal; runs of free zones take one row.
struct ZoneMap {
    var zones: [ZoneSummary]
    var colors: Bool
    static let barWidth = 40

    func render() -> String {
        var lines = ["zone  use         \(Formatting.padded("live █  garbage ░", Self.barWidth))  written    live"]
        var position = 0
        while position < zones.count {
            let zone = zones[position]
            position += 1
            if zone.use == .free {
                var last = zone.zone
                while position < zones.count && zones[position].use == .free {
                    last = zones[position].zone
                    position += 1
                }
                if last != zone.zone {
                    lines.append("\(Formatting.padded("\(zone.zone)-\(last)", 5)) free")
                    continue
                }
            }
            let capacity = max(zone.capacityBytes, 1)
            let live = cells(zone.use == .checkpoint ? zone.writtenBytes : zone.liveBytes, of: capacity)
            let garbage = min(Self.barWidth - live, cells(zone.garbageBytes, of: capacity))
            let empty = Self.barWidth - live - garbage
            let bar = paint(String(repeating: "█", count: live), zone.use == .checkpoint ? 34 : 32) + paint(String(repeating: "░", count: garbage), 33)
                + String(repeating: " ", count: empty)
            lines.append(
                "\(Formatting.padded(String(zone.zone), 5)) \(Formatting.padded(zone.use.rawValue, 11)) \(bar)  \(Formatting.padded(percent(zone.writtenBytes, capacity), 9))  \(percent(zone.liveBytes, capacity))")
        }
        let free = zones.filter { $0.use == .free }.count
        let garbage = zones.reduce(0) { $0 + $1.garbageBytes }
        lines.append("\(zones.count) zones, \(free) free; \(Formatting.bytes(garbage)) of garbage to reclaim")
        return lines.joined(separator: "\n")
    }

    private func cells(_ bytes: Int, of capacity: Int) -> Int {
        min(Self.barWidth, Int((Double(bytes) / Double(capacity) * Double(Self.barWidth)).rounded()))
    }

    private func percent(_ bytes: Int, _ capacity: Int) -> String {
        "\(Int((Double(bytes) / Double(capacity) * 100).rounded()))%"
    }

    /// `text` in ANSI colour `code` on a terminal.
    private func paint(_ text: String, _ code: Int) -> String {
        colors && !text.isEmpty ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}
