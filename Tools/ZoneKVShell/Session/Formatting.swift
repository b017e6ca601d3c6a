/// Sizes and padding for the tools' tables, shared by the shell and `zonekv`'s other commands.
public enum Formatting {
    /// Binary units, as device sizes are: "96 MiB", "1.5 GiB", "512 bytes".
    public static func bytes(_ count: some BinaryInteger) -> String {
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(count) bytes" }
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? "\(Int(rounded)) \(units[unit])" : "\(rounded) \(units[unit])"
    }

    /// `text` padded with spaces to `width` characters.
    public static func padded(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
