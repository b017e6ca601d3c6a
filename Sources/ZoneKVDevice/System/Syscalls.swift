// Every system call of the zoned device layer outside io_uring, in one place, each turning
// a failure into a DeviceError that names the operation and the path.

#if canImport(Glibc)
import Glibc
#endif
import CLibURing

/// An open file descriptor owned by the device layer.
struct SystemFile: Sendable {
    let descriptor: Int32
    let path: String
    /// Which backend the file serves, so errors can say what to do about them.
    let backend: DeviceBackend

    /// Opens `path` for reading and writing.
    static func open(_ path: String, create: Bool = false, direct: Bool = false, backend: DeviceBackend) throws(DeviceError) -> SystemFile {
        var flags = O_RDWR | O_CLOEXEC
        if create { flags |= O_CREAT | O_EXCL }
        if direct { flags |= zonekv_o_direct }
        let descriptor = Glibc.open(path, flags, 0o644)
        guard descriptor >= 0 else {
            throw DeviceError(systemErrorNumber: zonekv_errno(), operation: "open", path: path, backend: backend)
        }
        return SystemFile(descriptor: descriptor, path: path, backend: backend)
    }

    /// Releases the lock and closes the file. The lock is dropped explicitly: a ring that
    /// registered the file may hold the open file (and with it the lock) a while longer, as the
    /// kernel tears rings down asynchronously.
    func close() {
        _ = flock(descriptor, LOCK_UN)
        _ = Glibc.close(descriptor)
    }

    /// Takes an exclusive advisory lock, failing with `deviceBusy` if another process holds it
    /// for longer than `patience` seconds. A process that was just killed may hold it a moment
    /// more: the kernel closes the files its io_uring rings registered asynchronously.
    func lockExclusively(patience: Double = 2) throws(DeviceError) {
        let deadline = ContinuousClock.now + .milliseconds(Int(patience * 1000))
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let number = errno
            guard number == EWOULDBLOCK || number == EINTR else {
                throw DeviceError(systemErrorNumber: number, operation: "lock", path: path, backend: backend)
            }
            guard ContinuousClock.now < deadline else {
                throw DeviceError(.deviceBusy, "\(path) is in use: another store or process has it open; close it there first")
            }
            usleep(5_000)
        }
    }

    /// The file's size in bytes.
    func size() throws(DeviceError) -> UInt64 {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw lastError(backend, "stat", path: path) }
        return UInt64(info.st_size)
    }

    func setSize(_ bytes: UInt64) throws(DeviceError) {
        guard ftruncate(descriptor, off_t(bytes)) == 0 else { throw lastError(backend, "resize", path: path) }
    }

    func synchronize() throws(DeviceError) {
        guard fdatasync(descriptor) == 0 else { throw lastError(backend, "fdatasync", path: path) }
    }

    /// Reads exactly `buffer.count` bytes at `offset`.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) throws(DeviceError) {
        var done = 0
        while done < buffer.count {
            let count = pread(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                if count == 0 { throw DeviceError(.invalidDeviceFile, "\(path) ends early at byte \(offset + UInt64(done))") }
                throw lastError(backend, "read", path: path)
            }
            done += count
        }
    }

    /// Writes all of `buffer` at `offset`.
    func write(_ buffer: UnsafeRawBufferPointer, at offset: UInt64) throws(DeviceError) {
        var done = 0
        while done < buffer.count {
            let count = pwrite(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw lastError(backend, "write", path: path) }
            done += count
        }
    }

    /// Allocates disk blocks for `length` bytes at `offset` (fallocate), so that writes there
    /// cannot run out of space. Returns `false` if the file system cannot preallocate.
    func allocate(_ length: UInt64, at offset: UInt64) throws(DeviceError) -> Bool {
        guard zonekv_fallocate(descriptor, off_t(offset), off_t(length)) == 0 else {
            let number = zonekv_errno()
            if number == EOPNOTSUPP { return false }
            throw DeviceError(systemErrorNumber: number, operation: "fallocate", path: path, backend: backend)
        }
        return true
    }

    /// Maps `length` bytes from the start of the file for reading and writing, or returns `nil`
    /// if the address space will not take them.
    func mapWhole(length: Int) -> UnsafeMutableRawBufferPointer? {
        let address = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_SHARED, descriptor, 0)
        guard let address, address != MAP_FAILED else { return nil }
        return UnsafeMutableRawBufferPointer(start: address, count: length)
    }

    /// Maps `length` bytes from the start of the file, shared with the file (and other processes).
    func mapShared(length: Int) throws(DeviceError) -> UnsafeMutableRawBufferPointer {
        let address = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_SHARED, descriptor, 0)
        guard let address, address != MAP_FAILED else { throw lastError(backend, "mmap", path: path) }
        return UnsafeMutableRawBufferPointer(start: address, count: length)
    }
}

/// Writes a shared mapping back to its file.
func synchronizeMapping(_ mapping: UnsafeMutableRawBufferPointer, path: String) throws(DeviceError) {
    guard msync(mapping.baseAddress, mapping.count, MS_SYNC) == 0 else { throw lastError(nil, "msync", path: path) }
}

func unmap(_ mapping: UnsafeRawBufferPointer) {
    _ = munmap(UnsafeMutableRawPointer(mutating: mapping.baseAddress), mapping.count)
}

/// Whether `path` names a character device (an NVMe generic device is one).
func isCharacterDevice(_ path: String) -> Bool {
    var info = stat()
    guard stat(path, &info) == 0 else { return false }
    return info.st_mode & S_IFMT == S_IFCHR
}

/// Whether `path` names a block device.
func isBlockDevice(_ path: String) -> Bool {
    var info = stat()
    guard stat(path, &info) == 0 else { return false }
    return info.st_mode & S_IFMT == S_IFBLK
}

func fileExists(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0
}

/// The NVMe namespace id behind an NVMe generic char device (NVME_IOCTL_ID).
func nvmeNamespaceID(of file: SystemFile) throws(DeviceError) -> UInt32 {
    let result = zonekv_nvme_namespace_id(file.descriptor)
    guard result >= 0 else { throw lastError(.nvme, "NVME_IOCTL_ID", path: file.path) }
    return UInt32(result)
}

/// Runs an I/O command synchronously through the ioctl path (NVME_IOCTL_IO64_CMD, blocking the
/// calling thread); returns the completion status as io_uring would report it (0, a positive
/// NVMe status, or a negative errno). The command's 64-bit result is left in `command.result`.
func nvmeSynchronousIOCommand(_ command: inout nvme_passthru_cmd64, on file: SystemFile) -> Int32 {
    let result = zonekv_nvme_io_command64(file.descriptor, &command)
    return result < 0 ? -zonekv_errno() : result
}

/// Runs an admin command synchronously (the kernel routes it to the namespace's controller).
func nvmeAdminCommand(_ command: inout nvme_passthru_cmd, on file: SystemFile) throws(DeviceError) {
    let result = zonekv_nvme_admin_command(file.descriptor, &command)
    if result < 0 { throw lastError(.nvme, "NVMe admin command 0x\(String(command.opcode, radix: 16))", path: file.path) }
    if result > 0 {
        throw DeviceError(
            .deviceStatus, "NVMe admin command 0x\(String(command.opcode, radix: 16)) on \(file.path) failed with NVMe status 0x\(String(result, radix: 16))",
            nvmeStatus: UInt16(truncatingIfNeeded: result))
    }
}

private func lastError(_ backend: DeviceBackend?, _ operation: String, path: String) -> DeviceError {
    DeviceError(systemErrorNumber: zonekv_errno(), operation: operation, path: path, backend: backend)
}

/// Lowers the calling thread's scheduling priority (raises its nice value by `steps`), so
/// background work such as garbage collection yields the CPU to threads serving requests.
/// Linux gives each thread its own nice value (`who` 0 names the calling thread). A failure
/// leaves the priority as it was.
public func lowerCurrentThreadPriority(by steps: Int32) {
    let which = __priority_which_t(PRIO_PROCESS.rawValue)
    errno = 0
    let current = getpriority(which, 0)
    guard errno == 0 else { return }
    _ = setpriority(which, 0, min(19, current + steps))
}
