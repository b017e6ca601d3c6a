/// An NVMe ZNS namespace reached through its generic char device (`/dev/ngXnY`), which exists
/// even when the block layer rejects the namespace (Linux 6.1 hides zoned namespaces whose
/// zone size is not a power of two).
final class PassthroughNamespace: Sendable {
    let file: SystemFile
    let namespaceID: UInt32
    let geometry: DeviceGeometry

    private init(file: SystemFile, namespaceID: UInt32, geometry: DeviceGeometry) {
        self.file = file
        self.namespaceID = namespaceID
        self.geometry = geometry
    }

    deinit { file.close() }

    static func open(_ path: String) throws(DeviceError) -> PassthroughNamespace {
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
                file: file, namespaceID: namespaceID, depth: 1, buffers: [], options: DeviceOptions(), ownership: .ownerThread)
            let zones = try queue.reportFirstZone(geometry: geometry)
            geometry.zoneCapacity = zones.capacity
            return PassthroughNamespace(file: file, namespaceID: namespaceID, geometry: geometry)
        } catch {
            file.close()
            throw error
        }
    }
}
