/// An error from the zoned device layer: a stable code to match on and a message for people
/// that says what went wrong and what to do about it.
public struct DeviceError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public var code: Code
    /// A human-readable explanation, including what to do where something can be done.
    public var message: String
    /// The NVMe status (status code type and status code, without DNR/More) when the device
    /// or the emulator reported one.
    public var nvmeStatus: UInt16?
    /// The system error number when the kernel reported one.
    public var systemErrorNumber: Int32?

    public init(_ code: Code, _ message: String, nvmeStatus: UInt16? = nil, systemErrorNumber: Int32? = nil) {
        self.code = code
        self.message = message
        self.nvmeStatus = nvmeStatus
        self.systemErrorNumber = systemErrorNumber
    }

    public var description: String { "\(code): \(message)" }
}

extension DeviceError {
    /// A stable, extensible error code. Compare with the static members, e.g. `.zoneFull`.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        // Zoned Namespace statuses (status code type 1).
        /// A write or read crossed a zone's writable capacity or its boundary.
        public static let zoneBoundaryError = Code(rawValue: "zone-boundary-error")
        /// The zone is full: reset it before writing again.
        public static let zoneFull = Code(rawValue: "zone-full")
        /// The zone was made read-only by the device.
        public static let zoneReadOnly = Code(rawValue: "zone-read-only")
        /// The zone is offline: it can be neither read nor written.
        public static let zoneOffline = Code(rawValue: "zone-offline")
        /// A write did not start at the zone's write pointer.
        public static let zoneInvalidWrite = Code(rawValue: "zone-invalid-write")
        /// Opening another zone would exceed the device's max active zones.
        public static let tooManyActiveZones = Code(rawValue: "too-many-active-zones")
        /// Opening another zone would exceed the device's max open zones.
        public static let tooManyOpenZones = Code(rawValue: "too-many-open-zones")
        /// The zone cannot make the requested state change (e.g. closing an empty zone).
        public static let invalidZoneStateTransition = Code(rawValue: "invalid-zone-state-transition")
        /// The command is not allowed on this zone.
        public static let invalidZoneOperation = Code(rawValue: "invalid-zone-operation")

        // Generic NVMe statuses (status code type 0).
        /// The device does not support the command.
        public static let invalidOpcode = Code(rawValue: "invalid-opcode")
        /// A field of the command was invalid (e.g. an append not addressed to a zone start).
        public static let invalidField = Code(rawValue: "invalid-field")
        /// The command addressed blocks past the end of the namespace.
        public static let lbaOutOfRange = Code(rawValue: "lba-out-of-range")
        /// Any other NVMe status; see `nvmeStatus`.
        public static let deviceStatus = Code(rawValue: "device-status")

        // Refused by the layer before reaching the device.
        /// A Zone Append larger than the device's append size limit (ZASL).
        public static let appendTooLarge = Code(rawValue: "append-too-large")
        /// A transfer larger than one command may carry (MDTS) or than the command's buffer.
        public static let transferTooLarge = Code(rawValue: "transfer-too-large")
        /// An argument was out of range or inconsistent.
        public static let invalidArgument = Code(rawValue: "invalid-argument")
        /// Every command slot of the queue is in flight.
        public static let queueFull = Code(rawValue: "queue-full")

        // Opening and system errors.
        /// The device path does not exist.
        public static let deviceNotFound = Code(rawValue: "device-not-found")
        /// The caller lacks the privilege the kernel demands (passthrough needs CAP_SYS_ADMIN on 6.1).
        public static let permissionDenied = Code(rawValue: "permission-denied")
        /// The namespace is not a zoned (ZNS) namespace.
        public static let notZoned = Code(rawValue: "not-zoned")
        /// The path is not an NVMe generic char device nor an emulated device file.
        public static let unsupportedDevice = Code(rawValue: "unsupported-device")
        /// The running kernel lacks io_uring or NVMe passthrough over io_uring.
        public static let passthroughUnsupported = Code(rawValue: "passthrough-unsupported")
        /// Another process holds the device.
        public static let deviceBusy = Code(rawValue: "device-busy")
        /// An emulated device file is damaged or not an emulated device file.
        public static let invalidDeviceFile = Code(rawValue: "invalid-device-file")
        /// An I/O path option chosen at open time does not work on this device or kernel.
        public static let optionUnsupported = Code(rawValue: "option-unsupported")
        /// The kernel driver gave up on the command after its timeout (`nvme_core.io_timeout`) or
        /// cancelled it; the device may be failing or overloaded.
        public static let timedOut = Code(rawValue: "timed-out")
        /// Any other system error; see `systemErrorNumber`.
        public static let systemError = Code(rawValue: "system-error")
    }
}
