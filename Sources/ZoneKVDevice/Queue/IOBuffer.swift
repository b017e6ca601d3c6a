/// Page-aligned memory owned by the device layer, used for direct data transfers.
///
/// Each command slot of a `DeviceQueue` owns one, allocated when the queue is made and reused for
/// every command on that slot, so the I/O path allocates nothing. Raw memory is reachable only
/// inside the closures below, which must not let the pointer escape.
public final class IOBuffer {
    /// Alignment of every I/O buffer: one memory page, as DMA and O_DIRECT want.
    public static let alignment = 4096

    private let storage: UnsafeMutableRawBufferPointer

    /// Allocates `byteCount` zeroed bytes, page aligned.
    public init(byteCount: Int) {
        precondition(byteCount > 0, "an I/O buffer needs at least one byte")
        let rounded = (byteCount + IOBuffer.alignment - 1) / IOBuffer.alignment * IOBuffer.alignment
        storage = .allocate(byteCount: rounded, alignment: IOBuffer.alignment)
        storage.initializeMemory(as: UInt8.self, repeating: 0)
        count = byteCount
    }

    deinit { storage.deallocate() }

    /// Bytes in the buffer.
    public let count: Int

    /// Calls `body` with the buffer's bytes for reading.
    public func withUnsafeBytes<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(UnsafeRawBufferPointer(rebasing: storage[0..<count]))
    }

    /// Calls `body` with the buffer's bytes for writing.
    public func withUnsafeMutableBytes<Result, Failure: Error>(
        _ body: (UnsafeMutableRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(UnsafeMutableRawBufferPointer(rebasing: storage[0..<count]))
    }

    /// Copies `bytes` to the start of the buffer (at `offset`) and returns how many were copied.
    @discardableResult
    public func copy(from bytes: some Collection<UInt8>, at offset: Int = 0) -> Int {
        precondition(offset + bytes.count <= count, "\(bytes.count) bytes at offset \(offset) overflow a \(count)-byte buffer")
        return withUnsafeMutableBytes { buffer in
            _ = UnsafeMutableRawBufferPointer(rebasing: buffer[offset...]).initializeMemory(as: UInt8.self, from: bytes)
            return bytes.count
        }
    }

    /// Sets `byteCount` bytes from `offset` to `value`.
    public func fill(_ value: UInt8, from offset: Int = 0, count byteCount: Int? = nil) {
        let length = byteCount ?? (count - offset)
        withUnsafeMutableBytes { buffer in
            _ = UnsafeMutableRawBufferPointer(rebasing: buffer[offset..<offset + length]).initializeMemory(as: UInt8.self, repeating: value)
        }
    }

    /// A copy of `byteCount` bytes starting at `offset`.
    public func bytes(from offset: Int = 0, count byteCount: Int) -> [UInt8] {
        withUnsafeBytes { Array($0[offset..<offset + byteCount]) }
    }

    /// The buffer's whole memory, for registration with the kernel and for I/O submission.
    var memory: UnsafeMutableRawBufferPointer { storage }

    /// The start address, for I/O submission.
    var address: UnsafeMutableRawPointer { storage.baseAddress! }
}
