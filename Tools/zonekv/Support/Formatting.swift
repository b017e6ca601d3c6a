import ArgumentParser
import ZoneKV

/// Opens a device for a command.
func openDevice(_ path: String) throws -> ZonedDevice {
    try ZonedDevice.open(path)
}

/// Parses "96M", "80MiB", "128K", "1G" or a plain byte count.
func parseByteCount(_ text: String, option: String) throws -> UInt64 {
    let trimmed = text.uppercased().filter { $0 != " " }
    let digits = trimmed.prefix { $0.isNumber }
    var suffix = trimmed.dropFirst(digits.count)
    if suffix.hasSuffix("IB") { suffix = suffix.dropLast(2) } else if suffix.hasSuffix("B") { suffix = suffix.dropLast(1) }
    let multipliers: [Substring: UInt64] = ["": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40]
    guard let number = UInt64(digits), let multiplier = multipliers[suffix] else {
        throw ValidationError("\(option) takes a size such as 96M, 128K or 4096 (bytes); '\(text)' is not one")
    }
    let (bytes, overflow) = number.multipliedReportingOverflow(by: multiplier)
    guard !overflow else { throw ValidationError("\(option): '\(text)' is too large") }
    return bytes
}
