import Foundation
import Testing
import ZoneKVDevice

/// Checks the device layer against an independent tool: after ZoneKV writes, nvme-cli's
/// `nvme zns report-zones` must show the same zone states and write pointers ZoneKV reports.
@Suite(.serialized, .enabled(if: DeviceUnderTest.usesRealDevices, "needs a real NVMe device (the guest suite)"))
struct NVMeCLICrossCheckTests {
    @Test("nvme zns report-zones agrees with ZoneKV's zone report", arguments: DeviceUnderTest.all)
    func reportMatchesNVMeCLI(_ subject: DeviceUnderTest) throws {
        let nvme = try #require(
            ["/usr/sbin/nvme", "/usr/bin/nvme"].first { FileManager.default.isExecutableFile(atPath: $0) },
            "nvme-cli is not installed (apt-get install nvme-cli)")
        try subject.withDevice { device in
            let queue = try device.makeQueue()
            let geometry = device.geometry
            _ = try queue.append(pattern(seed: 1, count: 3 * geometry.blockSize), to: ZoneID(0))
            _ = try queue.append(pattern(seed: 2, count: 17 * geometry.blockSize), to: ZoneID(1))
            try queue.manage(.close, ZoneID(1))
            try queue.manage(.finish, ZoneID(2))
            try queue.manage(.open, ZoneID(3))
            try queue.write(pattern(seed: 3, count: 5 * geometry.blockSize), at: geometry.startBlock(of: ZoneID(4)))
            let ours = try queue.reportZones()

            let (text, status) = runShellCommand("\(nvme) zns report-zones \(device.path)")
            #expect(status == 0)
            let theirs = parseReportZones(text)
            #expect(theirs.count == ours.count, "nvme-cli listed \(theirs.count) zones:\n\(text.prefix(2000))")
            for (mine, other) in zip(ours, theirs) {
                #expect(other.start == mine.start.rawValue, "\(mine.zone) start")
                #expect(other.state == mine.state, "\(mine.zone) state per nvme-cli: \(other.stateText)")
                if let pointer = mine.writePointer {
                    #expect(other.writePointer == pointer.rawValue, "\(mine.zone) write pointer")
                }
            }
            #expect(ours[0].writtenBlocks == 3 && ours[1].writtenBlocks == 17 && ours[4].writtenBlocks == 5)
        }
    }

    struct CLIZone {
        var start: UInt64
        var writePointer: UInt64
        var stateText: String
        var state: ZoneState?
    }

    /// Parses lines like `SLBA: 0x0  WP: 0x3  Cap: 0x5000  State: IMP_OPENED  Type: SEQWRITE_REQ ...`.
    func parseReportZones(_ text: String) -> [CLIZone] {
        text.split(separator: "\n").compactMap { line in
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            func value(after key: String) -> String? {
                guard let index = words.firstIndex(of: key), index + 1 < words.count else { return nil }
                return words[index + 1]
            }
            guard let start = value(after: "SLBA:").flatMap(parseNumber),
                let pointer = value(after: "WP:").flatMap(parseNumber), let stateText = value(after: "State:")
            else { return nil }
            return CLIZone(start: start, writePointer: pointer, stateText: stateText, state: parseState(stateText))
        }
    }

    private func parseNumber(_ text: String) -> UInt64? {
        text.hasPrefix("0x") ? UInt64(text.dropFirst(2), radix: 16) : UInt64(text)
    }

    /// nvme-cli 2.3 prints the raw state byte (`0x10` for empty: the state is its high nibble);
    /// later versions print names.
    private func parseState(_ text: String) -> ZoneState? {
        if text.hasPrefix("0x"), let raw = UInt8(text.dropFirst(2), radix: 16) { return ZoneState(rawValue: raw >> 4) }
        return switch text.uppercased() {
        case "EMPTY": .empty
        case "IMP_OPENED": .implicitlyOpened
        case "EXP_OPENED": .explicitlyOpened
        case "CLOSED": .closed
        case "READONLY", "READ_ONLY": .readOnly
        case "FULL": .full
        case "OFFLINE": .offline
        default: nil
        }
    }
}
