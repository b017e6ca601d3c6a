#if canImport(Glibc)
import Glibc
#endif

/// Runs a command through `/bin/sh -c` and returns its output (stdout and stderr together) and
/// exit status. popen rather than Foundation's Process, which needs a run-loop socket pair and
/// closes every possible descriptor in the child: it fails or crawls in the test guest.
func runShellCommand(_ command: String) -> (output: String, status: Int32) {
    guard let stream = popen(command + " 2>&1", "r") else { return ("cannot start: \(command)", -1) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = fread(&chunk, 1, chunk.count, stream)
        if count == 0 { break }
        bytes.append(contentsOf: chunk[0..<count])
    }
    let status = pclose(stream)
    return (String(decoding: bytes, as: UTF8.self), status == -1 ? -1 : (status >> 8) & 0xFF)
}
