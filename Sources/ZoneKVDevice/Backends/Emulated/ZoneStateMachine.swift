/// The NVMe ZNS zone state machine with open and active resource accounting, as QEMU's
/// controller implements it (auto transition on: when an implicit open needs an open resource
/// at the limit, the oldest implicitly opened zone is closed).
///
/// Every method returns an NVMe status (0 for success). A failed open may still have closed the
/// oldest implicitly opened zone first, exactly as QEMU does.
struct ZoneStateMachine {
    let table: ZoneTable
    let geometry: DeviceGeometry
    private(set) var openCount = 0
    private(set) var activeCount = 0
    /// Implicitly opened zones, oldest first: the candidates for auto transition.
    private var implicitlyOpened: [Int] = []

    init(table: ZoneTable, geometry: DeviceGeometry) {
        self.table = table
        self.geometry = geometry
        implicitlyOpened.reserveCapacity(geometry.zoneCount)
        recount()
    }

    /// Recomputes the resource counts from the table (after opening the file or a power cycle).
    mutating func recount() {
        openCount = 0
        activeCount = 0
        implicitlyOpened.removeAll(keepingCapacity: true)
        for zone in 0..<table.zoneCount {
            let state = table.state(zone)
            if state.isOpen { openCount += 1 }
            if state.isActive { activeCount += 1 }
            if state == .implicitlyOpened { implicitlyOpened.append(zone) }
        }
    }

    private mutating func assign(_ zone: Int, _ state: ZoneState) {
        if table.state(zone) == .implicitlyOpened, let index = implicitlyOpened.firstIndex(of: zone) {
            implicitlyOpened.remove(at: index)
        }
        if state == .implicitlyOpened { implicitlyOpened.append(zone) }
        table.setState(zone, state)
    }

    private func checkResources(active: Int, open: Int) -> UInt16 {
        if let limit = geometry.maxActiveZones, activeCount + active > limit { return NVMeStatus.tooManyActiveZones }
        if let limit = geometry.maxOpenZones, openCount + open > limit { return NVMeStatus.tooManyOpenZones }
        return NVMeStatus.success
    }

    private mutating func autoTransition() {
        guard let limit = geometry.maxOpenZones, openCount == limit, let oldest = implicitlyOpened.first else { return }
        _ = close(oldest)
    }

    /// Acquires resources for a write or append, implicitly opening the zone if needed.
    mutating func openImplicitly(_ zone: Int) -> UInt16 {
        open(zone, explicitly: false)
    }

    /// Explicitly opens the zone (Zone Management Send, Open).
    mutating func openExplicitly(_ zone: Int) -> UInt16 {
        open(zone, explicitly: true)
    }

    private mutating func open(_ zone: Int, explicitly: Bool) -> UInt16 {
        let state = table.state(zone)
        switch state {
        case .empty, .closed:
            autoTransition()
            let needsActive = state == .empty ? 1 : 0
            let status = checkResources(active: needsActive, open: 1)
            guard status == NVMeStatus.success else { return status }
            activeCount += needsActive
            openCount += 1
            assign(zone, explicitly ? .explicitlyOpened : .implicitlyOpened)
            return NVMeStatus.success
        case .implicitlyOpened:
            if explicitly { assign(zone, .explicitlyOpened) }
            return NVMeStatus.success
        case .explicitlyOpened:
            return NVMeStatus.success
        default:
            return NVMeStatus.invalidZoneStateTransition
        }
    }

    /// Zone Management Send, Close.
    mutating func close(_ zone: Int) -> UInt16 {
        switch table.state(zone) {
        case .implicitlyOpened, .explicitlyOpened:
            openCount -= 1
            assign(zone, .closed)
            return NVMeStatus.success
        case .closed:
            return NVMeStatus.success
        default:
            return NVMeStatus.invalidZoneStateTransition
        }
    }

    /// Zone Management Send, Finish (also the automatic transition when a zone fills up).
    mutating func finish(_ zone: Int) -> UInt16 {
        let state = table.state(zone)
        switch state {
        case .full:
            return NVMeStatus.success
        case .implicitlyOpened, .explicitlyOpened, .closed, .empty:
            if state.isOpen { openCount -= 1 }
            if state.isActive { activeCount -= 1 }
            assign(zone, .full)
            return NVMeStatus.success
        default:
            return NVMeStatus.invalidZoneStateTransition
        }
    }

    /// Zone Management Send, Reset: back to empty with the write pointer at the zone start.
    /// The caller discards the zone's data.
    mutating func reset(_ zone: Int) -> UInt16 {
        let state = table.state(zone)
        switch state {
        case .empty:
            return NVMeStatus.success
        case .implicitlyOpened, .explicitlyOpened, .closed, .full:
            if state.isOpen { openCount -= 1 }
            if state.isActive { activeCount -= 1 }
            assign(zone, .empty)
            table.setWritePointer(zone, 0)
            table.setDurableWritePointer(zone, 0)
            return NVMeStatus.success
        default:
            return NVMeStatus.invalidZoneStateTransition
        }
    }

    /// Moves a zone to read-only or offline, as a failing device would; releases its resources.
    mutating func degrade(_ zone: Int, to state: ZoneState) {
        let current = table.state(zone)
        if current.isOpen { openCount -= 1 }
        if current.isActive { activeCount -= 1 }
        assign(zone, state)
    }

    /// Whether Select All applies `action` to a zone in `state` (QEMU's masks).
    static func selectAllApplies(_ action: ZoneAction, to state: ZoneState) -> Bool {
        switch action {
        case .close: state.isOpen
        case .open: state == .closed
        case .finish: state.isActive
        case .reset: state.isActive || state == .full
        }
    }
}
