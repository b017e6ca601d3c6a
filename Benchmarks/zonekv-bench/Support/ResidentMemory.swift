import Foundation

/// The process's anonymous resident memory (`RssAnon` in /proc/self/status): what an engine
/// allocates (index, caches, buffers). File-backed pages are left out: they are the page cache,
/// which LMDB reads through and which holds ZoneKV's emulated device, not engine memory.
enum ResidentMemory {
    static var anonymousBytes: Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("RssAnon:") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 2, let kilobytes = Int(fields[1]) else { return nil }
            return kilobytes * 1024
        }
        return nil
    }
}

extension ResidentMemory {
    /// Gives memory malloc keeps after frees back to the system, so the next engine measured in
    /// the same process starts from what this one really still holds.
    static func returnFreedMemory() { _ = mallocTrim(0) }
}

/// glibc's malloc_trim, which the Glibc module does not export (it is in malloc.h).
@_silgen_name("malloc_trim")
private func mallocTrim(_ pad: Int) -> Int32
