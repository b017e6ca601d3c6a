import ArgumentParser
import ZoneKV
import ZoneKVShell

struct DeviceReadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "read", abstract: "Read blocks and print them as a hex dump.")

    @OptionGroup var selection: DeviceSelection

    @Option(help: "First logical block to read.")
    var lba: UInt64

    @Option(help: "Number of blocks to read.")
    var blocks: Int = 1

    func run() throws {
        let device = try openDevice(selection.device)
        guard blocks > 0 else { throw ValidationError("--blocks must be at least 1") }
        let queue = try device.makeQueue(depth: 8)
        let bytes = try queue.read(from: BlockAddress(lba), blockCount: blocks)
        let base = lba * UInt64(device.geometry.blockSize)
        var previous: ArraySlice<UInt8>?
        var skipping = false
        for offset in stride(from: 0, to: bytes.count, by: 16) {
            let line = bytes[offset..<min(offset + 16, bytes.count)]
            if line == previous && offset + 16 < bytes.count {
                if !skipping { print("*") }
                skipping = true
                continue
            }
            skipping = false
            previous = line
            let hex = line.map { hexByte($0) }.joined(separator: " ")
            let text = String(line.map { $0 >= 32 && $0 < 127 ? Character(UnicodeScalar($0)) : "." })
            print(hexOffset(base + UInt64(offset)) + "  " + Formatting.padded(hex, 47) + "  |" + text + "|")
        }
    }

    private func hexByte(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16)
        return digits.count == 1 ? "0" + digits : digits
    }

    private func hexOffset(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 10 - digits.count)) + digits
    }
}
