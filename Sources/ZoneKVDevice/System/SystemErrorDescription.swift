#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The C library's text for an errno value, e.g. "Permission denied (errno 13)".
func systemErrorDescription(_ number: Int32) -> String {
    guard let text = strerror(number) else { return "errno \(number)" }
    return "\(String(cString: text)) (errno \(number))"
}
