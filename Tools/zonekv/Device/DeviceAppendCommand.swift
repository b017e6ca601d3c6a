import ArgumentParser
import ZoneKV

#if canImport(Glibc)
import Glibc
#endif

struct DeviceAppendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "append", abstract: "Append text or a file's bytes to a zone with Zone Append; prints the assigned address.")

    @OptionGroup var selection: DeviceSelection

    @Option(help: "The zone to append to.")
    var zone: Int

    @Option(help: "Text to append.")
    var text: String?

    @Option(help: "File whose bytes to append (at most the device's append limit).")
    var file: String?

    @Flag(help: "Flush after the append so it survives power loss.")
    var flush = false

    @Flag(help: .hidden)
    var thenKill = false

    func validate() throws {
        guard (text == nil) != (file == nil) else { throw ValidationError("give exactly one of --text or --file") }
    }

    func run() throws {
        let device = try openDevice(selection.device)
        guard (0..<device.geometry.zoneCount).contains(zone) else {
            throw ValidationError("--zone must be between 0 and \(device.geometry.zoneCount - 1)")
        }
        let bytes: [UInt8]
        if let text {
            bytes = Array(text.utf8)
        } else {
            bytes = try readFile(file!)
        }
        let queue = try device.makeQueue(depth: 1)
        let address = try queue.append(bytes, to: ZoneID(zone))
        if flush { try queue.flush() }
        print("appended \(bytes.count) bytes to zone \(zone) at LBA \(address.rawValue)")
        if thenKill {
            // Crash tests: die without any cleanup right after the append completed.
            kill(getpid(), SIGKILL)
        }
    }
}

/// Reads a whole file, with a clear error if it cannot.
func readFile(_ path: String) throws -> [UInt8] {
    guard let handle = fopen(path, "rb") else { throw ValidationError("cannot read \(path): \(String(cString: strerror(errno)))") }
    defer { fclose(handle) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = fread(&chunk, 1, chunk.count, handle)
        if count == 0 { break }
        bytes.append(contentsOf: chunk[0..<count])
    }
    guard ferror(handle) == 0 else { throw ValidationError("reading \(path) failed: \(String(cString: strerror(errno)))") }
    return bytes
}
