import ArgumentParser
import ZoneKV

#if canImport(Glibc)
import Glibc
#endif

/// The options every benchmark shares: which device, how long, how many rounds, whether fio
/// runs beside ZoneKV.
struct MeasurementOptions: ParsableArguments {
    @Option(help: "Device to measure (default: a new emulated device in /tmp, removed afterwards). Its data is overwritten.")
    var device: String?

    @Option(help: "Seconds per measurement.")
    var seconds: Double = 2

    @Option(help: "Measurement rounds; each round runs ZoneKV, then fio.")
    var rounds: Int = 2

    @Flag(help: "Skip the fio reference.")
    var noFio = false

    func validate() throws {
        guard seconds > 0, rounds > 0 else { throw ValidationError("--seconds and --rounds must be positive") }
    }

    /// The device to measure: `--device`, or a new emulated device with `geometry` that
    /// `removeTemporaryDevice` deletes afterwards.
    func devicePath(creatingWith geometry: EmulatedGeometry, name: String) throws -> String {
        try device ?? createScratchDevice(name: name, geometry: geometry)
    }

    /// Deletes the device `devicePath` created, if it created one.
    func removeTemporaryDevice(_ path: String) {
        if device == nil { unlink(path) }
    }

    /// fio on the PATH for `device`, unless `--no-fio`; says so when it is missing.
    func fioReference(for device: ZonedDevice) -> FioReference? {
        guard !noFio else { return nil }
        guard let executable = FioReference.locate() else {
            print("fio not found on PATH: install fio (apt-get install fio) for the reference column")
            return nil
        }
        return FioReference(device: device, executable: executable)
    }
}

/// Creates a throwaway emulated device for one benchmark run, named for the benchmark and the
/// process; the caller deletes it.
func createScratchDevice(name: String, geometry: EmulatedGeometry) throws -> String {
    let path = "/tmp/zonekv-bench-\(name)-\(getpid()).zns"
    try ZonedDevice.createEmulated(at: path, geometry: geometry)
    return path
}
