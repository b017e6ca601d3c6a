/// Which sealed zone garbage collection takes next, by cost-benefit (Rosenblum and Ousterhout's
/// LFS): a zone scores `(1 - u) * age / (1 + u)` with `u` its live share: reading the zone and
/// copying its live part costs `1 + u`, and frees `1 - u`; older data is less likely to die
/// soon on its own, so collecting it now wastes less.
enum VictimChoice {
    /// The best victim, or `nil` if no sealed zone (checkpoints' and unreadable zones aside) has at least
    /// `minimumGarbageBytes` of garbage and live data that fits `roomBytes` (where copies can
    /// go). Age counts in units written since the zone's last one.
    static func best(in usage: ZoneUsage, zoneCapacityBytes: Int, minimumGarbageBytes: Int, roomBytes: Int) -> Int? {
        let newestUnit = usage.newestUnit.max() ?? 0
        var best: (zone: Int, score: Double)?
        for zone in usage.sealed.indices where usage.sealed[zone] && usage.checkpoint[zone] == 0 && !usage.unreadable[zone] {
            let live = usage.liveBytes[zone]
            // Copies take a little more than the live bytes: unit headers and block padding.
            guard zoneCapacityBytes - live >= minimumGarbageBytes, live + live / 16 + minimumGarbageBytes <= roomBytes else { continue }
            let share = Double(live) / Double(zoneCapacityBytes)
            let age = Double(newestUnit &- usage.newestUnit[zone]) + 1
            let score = (1 - share) * age / (1 + share)
            if best == nil || score > best!.score { best = (zone, score) }
        }
        return best?.zone
    }
}
