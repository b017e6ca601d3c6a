import Foundation

/// Checkpoints: the index (and what recovery needs beside it) written to the metadata stream, so
/// an open loads it and replays only the units written after its cut.
///
/// The write leader takes the cut between two units, then this thread encodes the cut's entries
/// a slice at a time (holding the engine lock only per slice) and appends the pieces while
/// writes go on. The commit record comes last and is flushed; only then are zones holding
/// checkpoints older than the previous one reset, so a checkpoint torn by a crash always
/// leaves the one before it.
extension StoreEngine {
    /// Index entries encoded per hold of the engine lock.
    private static let entriesPerLockHold = 2048
    /// Pieces handed to the write queue at once.
    private static let piecesPerWrite = 8

    /// Writes a checkpoint now. One runs at a time; a caller that finds one running waits for
    /// it and returns its summary.
    @discardableResult
    func checkpoint() throws(StoreError) -> CheckpointSummary? {
        try checkpointGate.run { () throws(StoreError) in try makingRoom { () throws(StoreError) in try writeCheckpoint() } }
    }

    /// Whether enough was written since the last cut for a checkpoint to be due.
    var checkpointIsDue: Bool {
        let (bytes, cutTime) = engine.withLock { ($0.checkpoints.bytesSinceCut, $0.checkpoints.newest?.cutTime) }
        guard bytes > 0 else { return false }
        if let limit = options.checkpointAfterBytes, bytes >= limit { return true }
        if let seconds = options.checkpointAfterSeconds {
            let since = cutTime.map { Date().timeIntervalSince1970 - Double($0) / 1e9 } ?? Date().timeIntervalSince(openedAt)
            return since >= seconds
        }
        return false
    }

    private func writeCheckpoint() throws(StoreError) -> CheckpointSummary {
        let cut = try writes.perform(
            needsFlush: false, { sequence, waiter, queue in queue.append(.checkpointCut(sequence, waiter)) },
            results: { $0.checkpointCut })
        guard let cut else { throw StoreError(.corruption, "the write pipeline returned no checkpoint cut") }
        let started = ContinuousClock.now
        var encoder = CheckpointEncoder(pieceBytes: inlineValueLimit(keyCount: CheckpointFormat.pieceKeyBytes) - AppendUnitFormat.compressedPrefixBytes)
        for zone in cut.writtenBlocks.indices
        where cut.writtenBlocks[zone] > 0 || cut.zoneUsage.newestUnit[zone] > 0 || cut.zoneUsage.lowestPutSequence[zone] != .max {
            encoder.addZone(
                zone, writtenBlocks: cut.writtenBlocks[zone], lowestPutSequence: cut.zoneUsage.lowestPutSequence[zone],
                newestUnit: cut.zoneUsage.newestUnit[zone])
        }
        for sequence in cut.failedBatches.sorted() { encoder.addFailedBatch(sequence) }
        var storedBytes = 0
        var chunkPosition = 0
        while chunkPosition < cut.chunks.count {
            var entries = 0
            engine.withLock { state in
                while chunkPosition < cut.chunks.count && entries < Self.entriesPerLockHold {
                    for entry in cut.chunks[chunkPosition] {
                        let chunks = entry.location.isLargeValue ? cut.zoneUsage.largeValueChunks[entry.location] ?? [] : []
                        state.index.keys.withKey(entry.key) { encoder.addEntry(key: $0, entry, chunks: chunks) }
                    }
                    entries += cut.chunks[chunkPosition].count
                    chunkPosition += 1
                }
            }
            if encoder.pieces.count >= Self.piecesPerWrite { storedBytes += try writePieces(encoder.takePieces(), checkpoint: cut.id) }
        }
        encoder.finishPiece()
        storedBytes += try writePieces(encoder.takePieces(), checkpoint: cut.id)
        let commit = CheckpointCommit(
            id: cut.id, pieceCount: encoder.pieceCount, itemsChecksum: encoder.itemsChecksum, itemBytes: encoder.itemBytes,
            entryCount: encoder.entryCount, replayFromUnit: cut.replayFromUnit, cutTime: cut.time, identity: identity)
        let commitValue = commit.encoded
        try writes.perform(needsFlush: true) { _, waiter, queue in
            queue.append(
                .record(
                    PendingRecord(
                        type: .checkpointCommit, flags: [], sequence: cut.id, key: [], value: commitValue, valueRange: 0..<commitValue.count,
                        mayCompress: false, waiter: waiter, endsOperation: true, stream: .metadata)))
        }
        let stale = engine.withLock { state in
            let oldestKept = state.checkpoints.add(.init(id: cut.id, replayFromUnit: cut.replayFromUnit, cutTime: cut.time))
            state.counters.checkpoints += 1
            return state.zoneUsage.checkpointZones(olderThan: oldestKept)
        }
        for zone in stale {
            try writes.perform(needsFlush: false) { _, waiter, queue in queue.append(.zoneReset(zone, waiter)) }
        }
        let elapsed = ContinuousClock.now - started
        return CheckpointSummary(
            id: cut.id, keys: Int(encoder.entryCount), pieces: encoder.pieceCount, bytes: storedBytes,
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    /// Appends pieces to the metadata stream, several in flight, and returns their bytes.
    private func writePieces(_ pieces: [CheckpointEncoder.Piece], checkpoint id: UInt64) throws(StoreError) -> Int {
        guard !pieces.isEmpty else { return 0 }
        try writes.perform(needsFlush: false) { _, waiter, queue in
            for (position, piece) in pieces.enumerated() {
                let key = withUnsafeBytes(of: UInt32(piece.index).littleEndian) { [UInt8]($0) }
                queue.append(
                    .record(
                        PendingRecord(
                            type: .checkpointPiece, flags: piece.isCompressed ? .compressed : [], sequence: id, key: key, value: piece.value,
                            valueRange: 0..<piece.value.count, mayCompress: false, waiter: waiter, endsOperation: position == pieces.count - 1,
                            stream: .metadata)))
            }
        }
        return pieces.reduce(0) { $0 + $1.value.count }
    }
}
