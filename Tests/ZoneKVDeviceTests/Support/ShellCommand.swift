#if canImport(Glibc)
import Glibc
#endif

/// Runs a command through `/bin/sh -c` and returns its output (stdout and stderr together) and
/// exit status. popen rather than Foundation's Process, which needs a run-loop socket pair and
/// closes every possible descriptor in the child: it fails or crawls in the test guest.
///
/// The child starts with no signal blocked: a child inherits the mask of the thread that forks
/// it, and the test runner's threads block most signals, which left tmux servers (and the
/// shells in them) unable to hear a hang-up or a kill-server.
func runShellCommand(_ command: String) -> (output: String, status: Int32) {
    var none = sigset_t()
    var previous = sigset_t()
    sigemptyset(&none)
    pthread_sigmask(SIG_SETMASK, &none, &previous)
    let started = popen(command + " 2>&1", "r")
    pthread_sigmask(SIG_SETMASK, &previous, nil)
    guard let stream = started else { return ("cannot start: \(command)", -1) }
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
