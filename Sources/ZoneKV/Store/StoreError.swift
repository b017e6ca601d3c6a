/// An error from the store: a stable code to match on and a message for people that says what
/// went wrong and what to do about it.
public struct StoreError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public var code: Code
    /// A human-readable explanation, including what to do where something can be done.
    public var message: String
    /// The device error behind this one, when the device reported the failure.
    public var deviceError: DeviceError?

    public init(_ code: Code, _ message: String, deviceError: DeviceError? = nil) {
        self.code = code
        self.message = message
        self.deviceError = deviceError
    }

    /// A device failure during `operation`.
    init(_ deviceError: DeviceError, during operation: String) {
        self.init(.device, "\(operation) failed: \(deviceError.message)", deviceError: deviceError)
    }

    public var description: String { "\(code): \(message)" }
}

extension StoreError {
    /// A stable, extensible error code. Compare with the static members, e.g. `.keyTooLarge`.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// A key longer than ``Store/maxKeyBytes``.
        public static let keyTooLarge = Code(rawValue: "key-too-large")
        /// A value longer than the store's ``Store/maxValueBytes``.
        public static let valueTooLarge = Code(rawValue: "value-too-large")
        /// An option was out of range or inconsistent.
        public static let invalidOption = Code(rawValue: "invalid-option")
        /// The store was closed; open it again to go on.
        public static let closed = Code(rawValue: "closed")
        /// The device holds data that is not a ZoneKV store.
        public static let notAStore = Code(rawValue: "not-a-store")
        /// The device is empty and the options did not ask to create a store on it.
        public static let notFormatted = Code(rawValue: "not-formatted")
        /// The store was made for a device of another geometry (block size, zone size or
        /// capacity, zone count): the device was reformatted or is not the one it was made on.
        public static let geometryMismatch = Code(rawValue: "geometry-mismatch")
        /// The store was written by a format version this build does not read.
        public static let unsupportedFormat = Code(rawValue: "unsupported-format")
        /// Every zone is written: nothing more fits until space is reclaimed.
        public static let deviceFull = Code(rawValue: "device-full")
        /// Bytes read back from the device are not what was written there.
        public static let corruption = Code(rawValue: "corruption")
        /// Something other than ZoneKV changed the device (reset or rewrote zones holding live
        /// records); the message says which zones and what to do.
        public static let deviceChanged = Code(rawValue: "device-changed")
        /// The device failed a command; `deviceError` says how.
        public static let device = Code(rawValue: "device")
    }
}
