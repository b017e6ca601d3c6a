import Testing
import ZoneKVDevice

/// Zone state machine conformance: the same tests against every backend.
@Suite(.serialized)
struct ZoneStateConformanceTests {
    @Test("filling a zone to capacity makes it full; writes and appends then fail with zone-full", arguments: DeviceUnderTest.all)
    func fullZone(_ subject: DeviceUnderTest) throws {
        try subject.withDevice { device in
            let queue = try device.makeQueue()
            let geometry = device.geometry
            let zone = ZoneID(1)
            try queue.fill(zone)
            let descriptor = try queue.describe(zone)
            #expect(descriptor.state == .full)
            #expect(descriptor.writePointer == nil)
            #expect(descriptor.writtenBlocks == geometry.zoneCapacity)

            let append = deviceError { _ = try queue.append([1, 2, 3], to: zone) }
            #expect(append?.code == .zoneFull)
            let write = deviceError { try queue.write([1, 2, 3], at: BlockAddress(geometry.capacityEnd(of: zone).rawValue - 1)) }
            #expect(write?.code == .zoneFull)
            // The last written block is intact.
            let last = try queue.read(from: BlockAddress(geometry.capacityEnd(of: zone).rawValue - 1), blockCount: 1)
            #expect(last.contains { $0 != 0 })
        }
    }

    @Test("a write crossing the zone capacity is a boundary error; a read across the zone end too", arguments: DeviceUnderTest.all)
    func boundaryErrors(_ subject: DeviceUnderTest) throws {
        try subject.withDevice { device in
            let queue = try device.makeQueue()
            let geometry = device.geometry
            let zone = ZoneID(2)
            // Write up to two blocks short of capacity, one command at a time.
            let leave = UInt64(2)
            let prefixBlocks = Int(geometry.zoneCapacity - leave)
            try queue.writeFiller(zone, blocks: prefixBlocks)
            let crossing = deviceError {
                try queue.write(pattern(seed: 2, count: 3 * geometry.blockSize), at: geometry.startBlock(of: zone).advanced(by: UInt64(prefixBlocks)))
            }
            #expect(crossing?.code == .zoneBoundaryError)
            let crossingAppend = deviceError { _ = try queue.append(pattern(seed: 3, count: 3 * geometry.blockSize), to: zone) }
            #expect(crossingAppend?.code == .zoneBoundaryError)
            #expect(try queue.describe(zone).writtenBlocks == UInt64(prefixBlocks))

            // Reads may go anywhere inside the zone, but one command may not cross its end...
            let lastBlockOfZone = BlockAddress(geometry.startBlock(of: ZoneID(3)).rawValue - 1)
            #expect(try queue.read(from: lastBlockOfZone, blockCount: 1).allSatisfy { $0 == 0 })
            let across = deviceError { try queue.perform(.read(lastBlockOfZone, blockCount: 2)) }
            #expect(across?.code == .zoneBoundaryError)
            // ...so the read helper splits at zone boundaries.
            let next = try queue.append(pattern(seed: 4, count: geometry.blockSize), to: ZoneID(3))
            let spanning = try queue.read(from: lastBlockOfZone, blockCount: 2)
            #expect(Array(spanning.suffix(geometry.blockSize)) == pattern(seed: 4, count: geometry.blockSize))
            #expect(next == geometry.startBlock(of: ZoneID(3)))
        }
    }

    @Test("non-power-of-two zone size with capacity below size", arguments: DeviceUnderTest.all)
    func capacityBelowSize(_ subject: DeviceUnderTest) throws {
        try subject.withDevice { device in
            let geometry = device.geometry
            #expect(geometry.zoneCapacity <= geometry.zoneSize)
            #expect(UInt64(geometry.zoneCount) * geometry.zoneSize <= geometry.blockCount)
            let queue = try device.makeQueue()
            let zones = try queue.reportZones()
            #expect(zones.count == geometry.zoneCount)
            for (index, zone) in zones.enumerated() {
                #expect(zone.zone == ZoneID(index))
                #expect(zone.start == BlockAddress(UInt64(index) * geometry.zoneSize))
                #expect(zone.capacity == geometry.zoneCapacity)
            }
            guard geometry.zoneCapacity < geometry.zoneSize else { return }
            // The gap between capacity and size can be read (zeros) but never written.
            let zone = ZoneID(3)
            try queue.fill(zone)
            #expect(try queue.read(from: geometry.capacityEnd(of: zone), blockCount: 1).allSatisfy { $0 == 0 })
            let next = try queue.append(pattern(seed: 4, count: 10), to: ZoneID(4))
            #expect(next == geometry.startBlock(of: ZoneID(4)), "the next zone starts a zone size, not a capacity, later")
        }
    }

    @Test("reset returns a zone to empty with its data gone", arguments: DeviceUnderTest.all)
    func reset(_ subject: DeviceUnderTest) throws {
        try subject.withDevice { device in
            let queue = try device.makeQueue()
            let geometry = device.geometry
            let zone = ZoneID(5)
            _ = try queue.append(pattern(seed: 5, count: 3 * geometry.blockSize), to: zone)
            try queue.manage(.reset, zone)
            let descriptor = try queue.describe(zone)
            #expect(descriptor.state == .empty)
            #expect(descriptor.writePointer == geometry.startBlock(of: zone))
            #expect(try queue.read(from: geometry.startBlock(of: zone), blockCount: 3).allSatisfy { $0 == 0 })
            #expect(try queue.append([9], to: zone) == geometry.startBlock(of: zone))
            // The old data never shows through above the new write pointer.
            #expect(try queue.read(from: geometry.startBlock(of: zone).advanced(by: 1), blockCount: 2).allSatisfy { $0 == 0 })
            // A full zone resets too.
            try queue.manage(.finish, zone)
            try queue.manage(.reset, zone)
            #expect(try queue.describe(zone).state == .empty)
        }
    }

    @Test("finish makes a zone full; open, close and their invalid transitions", arguments: DeviceUnderTest.all)
    func finishOpenClose(_ subject: DeviceUnderTest) throws {
        try subject.withDevice { device in
            let queue = try device.makeQueue()
            let zone = ZoneID(6)
            _ = try queue.append(pattern(seed: 6, count: 100), to: zone)
            #expect(try queue.describe(zone).state == .implicitlyOpened)
            try queue.manage(.close, zone)
            #expect(try queue.describe(zone).state == .closed)
            try queue.manage(.open, zone)
            #expect(try queue.describe(zone).state == .explicitlyOpened)
            try queue.manage(.finish, zone)
            #expect(try queue.describe(zone).state == .full)
            #expect(deviceError { _ = try queue.append([1], to: zone) }?.code == .zoneFull)
            #expect(deviceError { try queue.manage(.open, zone) }?.code == .invalidZoneStateTransition)

            let empty = ZoneID(7)
            #expect(deviceError { try queue.manage(.close, empty) }?.code == .invalidZoneStateTransition)
            try queue.manage(.finish, empty)
            #expect(try queue.describe(empty).state == .full)
        }
    }

    @Test("too many open zones", arguments: DeviceUnderTest.all)
    func tooManyOpenZones(_ subject: DeviceUnderTest) throws {
        try subject.withDevice { device in
            let queue = try device.makeQueue()
            guard let maxOpen = device.geometry.maxOpenZones, maxOpen < device.geometry.zoneCount else { return }
            for index in 0..<maxOpen { try queue.manage(.open, ZoneID(index)) }
            // The device checks active resources first: with equal limits that one runs out first.
            let hasSpareActive = (device.geometry.maxActiveZones ?? Int.max) > maxOpen
            let expected: DeviceError.Code = hasSpareActive ? .tooManyOpenZones : .tooManyActiveZones
            #expect(deviceError { try queue.manage(.open, ZoneID(maxOpen)) }?.code == expected)
            // Explicitly opened zones are never closed behind the host's back, so a write to
            // another zone cannot open it either.
            #expect(deviceError { _ = try queue.append([1], to: ZoneID(maxOpen)) }?.code == expected)
            // Closing frees the open resource (finishing frees the active one too).
            try queue.manage(hasSpareActive ? .close : .finish, ZoneID(0))
            try queue.manage(.open, ZoneID(maxOpen))
            #expect(try queue.describe(ZoneID(maxOpen)).state == .explicitlyOpened)
        }
    }

    @Test("too many active zones", arguments: DeviceUnderTest.all)
    func tooManyActiveZones(_ subject: DeviceUnderTest) throws {
        try subject.withDevice { device in
            let queue = try device.makeQueue()
            guard let maxActive = device.geometry.maxActiveZones, maxActive < device.geometry.zoneCount else { return }
            // Make maxActive zones active: written, then closed.
            for index in 0..<maxActive {
                _ = try queue.append([UInt8(index)], to: ZoneID(index))
                try queue.manage(.close, ZoneID(index))
            }
            #expect(try queue.reportZones().filter { $0.state.isActive }.count == maxActive)
            let write = deviceError { _ = try queue.append([1], to: ZoneID(maxActive)) }
            #expect(write?.code == .tooManyActiveZones)
            #expect(deviceError { try queue.manage(.open, ZoneID(maxActive)) }?.code == .tooManyActiveZones)
            // Finishing one frees an active resource.
            try queue.manage(.finish, ZoneID(0))
            #expect(try queue.append([1], to: ZoneID(maxActive)) == device.geometry.startBlock(of: ZoneID(maxActive)))
        }
    }

    @Test("implicitly opened zones are closed automatically to open another", arguments: DeviceUnderTest.all)
    func implicitOpenAutoTransition(_ subject: DeviceUnderTest) throws {
        try subject.withDevice { device in
            let queue = try device.makeQueue()
            guard let maxOpen = device.geometry.maxOpenZones, maxOpen + 1 < (device.geometry.maxActiveZones ?? Int.max),
                maxOpen + 1 < device.geometry.zoneCount
            else { return }
            for index in 0...maxOpen { _ = try queue.append([UInt8(index)], to: ZoneID(index)) }
            let zones = try queue.reportZones(count: maxOpen + 1)
            #expect(zones.filter { $0.state.isOpen }.count == maxOpen)
            #expect(zones.filter { $0.state == .closed }.count == 1)
        }
    }

    @Test("zone reports page through every zone", arguments: DeviceUnderTest.all)
    func reportPaging(_ subject: DeviceUnderTest) throws {
        try subject.withDevice { device in
            let queue = try device.makeQueue()
            let geometry = device.geometry
            for index in stride(from: 0, to: min(geometry.zoneCount, 8), by: 3) {
                _ = try queue.append(pattern(seed: index, count: (index + 1) * geometry.blockSize), to: ZoneID(index))
                try queue.manage(.close, ZoneID(index))
            }
            let whole = try queue.reportZones()
            #expect(whole.count == geometry.zoneCount)
            for pageSize in [1, 3, 5] {
                let paged = try queue.reportZones(zonesPerCommand: pageSize)
                #expect(paged == whole, "\(pageSize) zones per report")
            }
            let tail = try queue.reportZones(from: ZoneID(geometry.zoneCount - 2), zonesPerCommand: 1)
            #expect(tail == Array(whole.suffix(2)))
            for index in stride(from: 0, to: min(geometry.zoneCount, 8), by: 3) {
                #expect(whole[index].writtenBlocks == UInt64(index + 1))
                #expect(whole[index].state == .closed)
            }
        }
    }

    @Test("commands past the end of the namespace fail with LBA out of range", arguments: DeviceUnderTest.all)
    func outOfRange(_ subject: DeviceUnderTest) throws {
        try subject.withDevice { device in
            let queue = try device.makeQueue()
            let end = BlockAddress(device.geometry.blockCount)
            #expect(deviceError { _ = try queue.read(from: end, blockCount: 1) }?.code == .lbaOutOfRange)
            #expect(deviceError { try queue.manage(.reset, ZoneID(device.geometry.zoneCount)) }?.code == .lbaOutOfRange)
        }
    }
}
