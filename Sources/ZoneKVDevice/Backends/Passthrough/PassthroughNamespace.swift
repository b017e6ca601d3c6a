/// An NVMe ZNS namespace reached through its generic char device (`/dev/ngXnY`), which exists
/// even when the block layer rejects the namespace (Linux 6.1 hides zoned namespaces whose
/// zone size is not a power of two).
final class PassthroughNamespace: Sendable {
    let file: SystemFile
    let namespaceID: UInt32
    let geometry: DeviceGeometry
    /// The namespace's block device (`/dev/nvmeXnY`), opened with O_DIRECT, for the block-layer
    /// command path only.
    let blockDevice: SystemFile?

    private init(file: SystemFile, namespaceID: UInt32, geometry: DeviceGeometry, blockDevice: SystemFile?) {
        self.file = file
        self.namespaceID = namespaceID
        self.geometry = geometry
        self.blockDevice = blockDevice
    }

    deinit {
        file.close()
        blockDevice?.close()
    }

    static func open(_ path: String, withBlockDevice: Bool) throws(DeviceError) -> PassthroughNamespace {
        let file = try SystemFile.open(path, backend: .nvme)
        do {
            try file.lockExclusively()
            let namespaceID = try nvmeNamespaceID(of: file)
            let facts = try Identify.namespaceFacts(of: file, namespaceID: namespaceID)
            var geometry = DeviceGeometry(
                blockSize: facts.blockSize, blockCount: facts.blockCount,
                zoneCount: Int(facts.blockCount / facts.zoneSize), zoneSize: facts.zoneSize, zoneCapacity: facts.zoneSize,
                maxOpenZones: facts.maxOpenZones, maxActiveZones: facts.maxActiveZones,
                maxAppendBytes: facts.maxAppendBytes, maxTransferBytes: facts.maxTransferBytes)
            // Zone capacity is per zone and only Report Zones tells it: read the first zone's.
            let queue = try PassthroughQueue(
                file: file, namespaceID: namespaceID, blockSize: facts.blockSize, blockDevice: nil, depth: 1, buffers: [], options: DeviceOptions(), ownership: .ownerThread)
            let zones = try queue.reportFirstZone(geometry: geometry)
            geometry.zoneCapacity = zones.capacity
            let blockDevice = withBlockDevice ? try openBlockDevice(of: path, namespaceID: namespaceID) : nil
            return PassthroughNamespace(file: file, namespaceID: namespaceID, geometry: geometry, blockDevice: blockDevice)
        } catch {
            file.close()
            throw error
        }
    }
}

extension PassthroughNamespace {
    /// Opens the block device of the namespace behind the generic char device at `path`
    /// (`/dev/ng0n2` -> `/dev/nvme0n2`) with O_DIRECT, and checks that it is the same namespace.
    private static func openBlockDevice(of path: String, namespaceID: UInt32) throws(DeviceError) -> SystemFile {
        let slash = path.lastIndex(of: "/").map { path.index(after: $0) } ?? path.startIndex
        let name = path[slash...]
        guard name.hasPrefix("ng") else {
            throw DeviceError(
                .optionUnsupported,
                "the block command path finds the block device by the char device's name (/dev/ngXnY -> /dev/nvmeXnY), and \(path) is not named so")
        }
        let blockPath = String(path[..<slash]) + "nvme" + name.dropFirst(2)
        guard isBlockDevice(blockPath) else {
            throw DeviceError(
                .optionUnsupported,
                "the kernel exposes no block device for \(path) (\(blockPath) does not exist: Linux may hide a zoned namespace, for instance one whose zone size is not a power of two or on a kernel without CONFIG_BLK_DEV_ZONED; see `dmesg`); the block command path needs one, the passthrough paths do not")
        }
        let file = try SystemFile.open(blockPath, direct: true, backend: .nvme)
        let blockNamespaceID: UInt32
        do throws(DeviceError) {
            blockNamespaceID = try nvmeNamespaceID(of: file)
        } catch {
            file.close()
            throw error
        }
        guard blockNamespaceID == namespaceID else {
            file.close()
            throw DeviceError(
                .optionUnsupported,
                "\(blockPath) is namespace \(blockNamespaceID), not namespace \(namespaceID) like \(path); the block command path needs the block device of the same namespace")
        }
        return file
    }
}
