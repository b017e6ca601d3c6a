import ZoneKVCodecs

/// What a read expects to find at a location: the record the index points at.
struct RecordRequest {
    var location: RecordLocation
    var key: [UInt8]
    var type: RecordType
    /// The record's sequence number, when known (chunks are checked by key and type only).
    var sequence: UInt64?
}

/// Reads stored values back: one device read per record (header, key and value together), the
/// header and key checked against what the index expects, then decompressed if need be. Large
/// values come back with their chunks read in parallel.
struct RecordReader {
    let geometry: DeviceGeometry
    /// The largest value stored inline (in one record); bounds decompression.
    let unitBytes: Int

    /// The blocks holding a record and where its header starts in them.
    private struct Extent {
        var address: BlockAddress
        var blocks: Int
        var headerOffset: Int
    }

    private func extent(of request: RecordRequest) -> Extent {
        let blockSize = UInt64(geometry.blockSize)
        let headerStart = request.location.offset - UInt64(AppendUnitFormat.recordHeaderBytes + request.key.count)
        let firstBlock = headerStart / blockSize
        let endBlock = (request.location.offset + UInt64(request.location.storedLength) + blockSize - 1) / blockSize
        return Extent(
            address: geometry.startBlock(of: ZoneID(request.location.zone)).advanced(by: firstBlock),
            blocks: Int(max(1, endBlock - firstBlock)), headerOffset: Int(headerStart - firstBlock * blockSize))
    }

    // MARK: One record

    /// Reads the value of one record.
    func read(_ request: RecordRequest, on queue: DeviceQueue) throws(StoreError) -> [UInt8] {
        let extent = extent(of: request)
        var result: Result<[UInt8], StoreError> = .success([])
        do throws(DeviceError) {
            try queue.perform(.read(extent.address, blockCount: extent.blocks), inspect: { buffer in
                result = buffer.withUnsafeBytes { bytes in
                    Result { () throws(StoreError) in try decodedValue(in: bytes, at: extent.headerOffset, for: request) }
                }
            })
        } catch {
            throw StoreError(error, during: "reading zone \(request.location.zone) at byte \(request.location.offset)")
        }
        return try result.get()
    }

    /// Reads the descriptor of a large value (the record `request` names).
    func readDescriptor(_ request: RecordRequest, on queue: DeviceQueue) throws(StoreError) -> LargeValueDescriptor {
        guard let descriptor = LargeValueDescriptor(decoding: try read(request, on: queue)) else {
            throw StoreError(.corruption, "the large-value descriptor at zone \(request.location.zone) byte \(request.location.offset) is damaged")
        }
        return descriptor
    }

    /// Reads a large value: its descriptor names the chunks, read up to the queue's depth at a time.
    func readLargeValue(_ request: RecordRequest, on queue: DeviceQueue) throws(StoreError) -> [UInt8] {
        let descriptor = try readDescriptor(request, on: queue)
        var failure: StoreError?
        let value = [UInt8](unsafeUninitializedCapacity: descriptor.valueBytes) { target, initialized in
            var starts: [Int] = []
            starts.reserveCapacity(descriptor.chunks.count)
            var position = 0
            for chunk in descriptor.chunks {
                starts.append(position)
                position += chunk.byteCount
            }
            do throws(StoreError) {
                try readMany(
                    descriptor.chunks.count,
                    request: { index in
                        let chunk = descriptor.chunks[index]
                        return RecordRequest(
                            location: RecordLocation(zone: chunk.zone, offset: chunk.offset, storedLength: chunk.byteCount, flags: 0),
                            key: request.key, type: .valueChunk, sequence: nil)
                    },
                    on: queue,
                    deliver: { index, stored throws(StoreError) in
                        guard stored.count == descriptor.chunks[index].byteCount else {
                            throw StoreError(.corruption, "chunk \(index) of a large value has \(stored.count) bytes, not \(descriptor.chunks[index].byteCount)")
                        }
                        UnsafeMutableRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(target)[starts[index]..<starts[index] + stored.count])
                            .copyMemory(from: stored)
                    })
            } catch {
                failure = error
            }
            initialized = descriptor.valueBytes
        }
        if let failure { throw failure }
        return value
    }

    // MARK: Many records

    /// Reads `count` records with up to the queue's depth in flight, passing each stored value
    /// (compressed values still compressed, as `deliver` may want) in completion order.
    func readMany(
        _ count: Int, request: (Int) -> RecordRequest, on queue: DeviceQueue,
        deliver: (Int, UnsafeRawBufferPointer) throws(StoreError) -> Void
    ) throws(StoreError) {
        var requests = [(RecordRequest, Int)?](repeating: nil, count: queue.depth)
        var next = 0
        var delivered = 0
        var failure: StoreError?
        while delivered < count {
            while next < count, failure == nil, let tag = queue.reserveTag() {
                let wanted = request(next)
                let extent = extent(of: wanted)
                do throws(DeviceError) {
                    try queue.enqueue(.read(extent.address, blockCount: extent.blocks), on: tag)
                    requests[tag.index] = (wanted, next)
                } catch {
                    queue.releaseTag(tag)
                    failure = StoreError(error, during: "reading zone \(wanted.location.zone)")
                }
                next += 1
            }
            if queue.inFlightCount == 0 { break }
            do throws(DeviceError) {
                try queue.reap(minimum: 1) { completion in
                    delivered += 1
                    guard let (wanted, index) = requests[completion.tag.index] else { return }
                    requests[completion.tag.index] = nil
                    if let error = completion.error {
                        failure = failure ?? StoreError(error, during: "reading zone \(wanted.location.zone)")
                        return
                    }
                    guard failure == nil else { return }
                    queue.buffer(for: completion.tag).withUnsafeBytes { bytes in
                        do throws(StoreError) {
                            let range = try storedValue(in: bytes, at: extent(of: wanted).headerOffset, for: wanted)
                            try deliver(index, UnsafeRawBufferPointer(rebasing: bytes[range]))
                        } catch {
                            failure = error
                        }
                    }
                }
            } catch {
                throw StoreError(error, during: "reading from the device")
            }
        }
        if let failure { throw failure }
    }

    // MARK: Checking and decoding

    /// Checks the record at `headerOffset` against `request` and returns its stored value's range.
    private func storedValue(in bytes: UnsafeRawBufferPointer, at headerOffset: Int, for request: RecordRequest) throws(StoreError) -> Range<Int> {
        typealias Field = AppendUnitFormat.RecordField
        let keyStart = headerOffset + AppendUnitFormat.recordHeaderBytes
        let valueStart = keyStart + request.key.count
        let valueEnd = valueStart + request.location.storedLength
        func mismatch(_ what: String) -> StoreError {
            StoreError(
                .corruption,
                "zone \(request.location.zone) byte \(request.location.offset): \(what); the device returned other bytes than were written there")
        }
        guard valueEnd <= bytes.count else { throw mismatch("the record runs past the bytes read") }
        guard bytes[headerOffset + Field.type] == request.type.rawValue else { throw mismatch("the record type differs") }
        let keyLength = Int(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: headerOffset + Field.keyLength, as: UInt16.self)))
        let valueLength = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: headerOffset + Field.valueLength, as: UInt32.self)))
        guard keyLength == request.key.count, valueLength == request.location.storedLength else { throw mismatch("the record lengths differ") }
        if let sequence = request.sequence {
            let stored = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: headerOffset + Field.sequence, as: UInt64.self))
            guard stored & IndexEntry.sequenceMask == sequence & IndexEntry.sequenceMask else {
                throw mismatch("the record's sequence number is \(stored), not \(sequence)")
            }
        }
        let keyMatches = request.key.withUnsafeBytes { key in
            compareBytes(UnsafeRawBufferPointer(rebasing: bytes[keyStart..<valueStart]), key) == 0
        }
        guard keyMatches else { throw mismatch("the record's key differs") }
        return valueStart..<valueEnd
    }

    /// The value of the record at `headerOffset`, checked and decompressed.
    private func decodedValue(in bytes: UnsafeRawBufferPointer, at headerOffset: Int, for request: RecordRequest) throws(StoreError) -> [UInt8] {
        let range = try storedValue(in: bytes, at: headerOffset, for: request)
        return try decode(UnsafeRawBufferPointer(rebasing: bytes[range]), compressed: request.location.isCompressed, at: request.location)
    }

    /// A stored value as the writer gave it.
    func decode(_ stored: UnsafeRawBufferPointer, compressed: Bool, at location: RecordLocation) throws(StoreError) -> [UInt8] {
        guard compressed else { return [UInt8](stored) }
        let prefix = AppendUnitFormat.compressedPrefixBytes
        guard stored.count > prefix else {
            throw StoreError(.corruption, "the compressed value at zone \(location.zone) byte \(location.offset) is truncated")
        }
        let original = Int(UInt32(littleEndian: stored.loadUnaligned(as: UInt32.self)))
        guard original <= unitBytes else {
            throw StoreError(.corruption, "the compressed value at zone \(location.zone) byte \(location.offset) claims \(original) bytes")
        }
        var intact = false
        let value = [UInt8](unsafeUninitializedCapacity: original) { target, initialized in
            intact = LZ4.decompress(UnsafeRawBufferPointer(rebasing: stored[prefix...]), into: UnsafeMutableRawBufferPointer(target))
            initialized = original
        }
        guard intact else {
            throw StoreError(.corruption, "the compressed value at zone \(location.zone) byte \(location.offset) does not decompress")
        }
        return value
    }
}
