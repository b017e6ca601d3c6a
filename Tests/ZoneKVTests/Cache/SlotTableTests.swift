import Testing
@testable import ZoneKV

@Suite struct SlotTableTests {
    @Test("random sets, removals and lookups match a dictionary, through growth and probe-run repair")
    func matchesDictionary() {
        var table = SlotTable()
        var model: [UInt64: Int32] = [:]
        var state: UInt64 = 12345
        func next(_ bound: UInt64) -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state % bound
        }
        for step in 0..<200_000 {
            // A small key space (with 0 and clustered keys) keeps probe runs long and collisions common.
            let key = next(4) == 0 ? next(64) : next(5000) * 4096
            switch next(10) {
            case 0..<5:
                let slot = Int32(truncatingIfNeeded: step)
                table.set(slot, for: key)
                model[key] = slot
            case 5..<8:
                table.remove(key)
                model[key] = nil
            default:
                #expect(table.slot(for: key) == model[key], "step \(step)")
            }
            if step % 10_000 == 0 {
                #expect(table.count == model.count)
                for (key, slot) in model { #expect(table.slot(for: key) == slot) }
            }
        }
        #expect(table.count == model.count)
    }
}
