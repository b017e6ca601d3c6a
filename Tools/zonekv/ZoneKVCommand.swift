import ArgumentParser
import Foundation
import ZoneKV
import ZoneKVShell

#if canImport(Glibc)
import Glibc
#endif

/// `zonekv`: the shell on a store, any shell command as a subcommand, and admin subcommands.
@main
struct ZoneKVCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zonekv",
        abstract: "ZoneKV: a key-value object store for zoned NVMe SSDs.",
        discussion: """
            Without a command, opens an interactive shell on the store (or, when standard input \
            is not a terminal, runs one command per line and prints only results). Any shell \
            command also works as a subcommand: zonekv get user42, zonekv stats, zonekv check. \
            Type help in the shell for the commands.
            """,
        subcommands: [ShellLaunchCommand.self, DeviceCommand.self, FormatCommand.self],
        defaultSubcommand: ShellLaunchCommand.self
    )
}

/// `zonekv [shell] [--device D] [-c "CMDS" | COMMAND WORDS...]`: the shell, or one command.
struct ShellLaunchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shell", abstract: "Open the shell on a store, or run shell commands and exit (the default).")

    @OptionGroup var store: StoreSelection

    @Option(name: .customShort("c"), help: ArgumentHelp("Run these commands (separated by ;) and exit.", valueName: "commands"))
    var commands: String?

    @Argument(parsing: .captureForPassthrough, help: "A shell command to run, e.g. get user42.")
    var words: [String] = []

    func run() throws {
        guard commands == nil || words.isEmpty else { throw ValidationError("give either -c \"COMMANDS\" or a command, not both") }
        let interactive = commands == nil && words.isEmpty && isatty(0) == 1
        let output = ShellOutput.standard(isTerminal: isatty(1) == 1 && isatty(2) == 1)
        let session = ShellSession(store: try store.open(), output: output)
        if let commands {
            session.run(line: commands)
        } else if !words.isEmpty {
            session.run(words: words)
        } else if interactive {
            InteractiveShell(session: session).run()
        } else {
            while !session.isFinished, let line = readLine(strippingNewline: true) { session.run(line: line) }
        }
        output.flush()
        do {
            try session.store.close()
        } catch {
            throw ToolFailure("closing the store: \(error.message)")
        }
        if session.failures > 0 { throw ExitCode(1) }
    }
}

/// Which store to open: `--device`, else `ZONEKV_DEVICE`, else `zonekv.zns` here.
struct StoreSelection: ParsableArguments {
    @Option(
        name: .long,
        help: "The store's device: /dev/ngXnY (NVMe passthrough) or an emulated device file. Default: $ZONEKV_DEVICE, else zonekv.zns in the current directory.")
    var device: String?

    @Flag(help: "Rebuild the index from the whole log rather than the newest checkpoint (slower; for a device changed outside ZoneKV).")
    var rebuildIndex = false

    var path: String {
        device ?? ProcessInfo.processInfo.environment["ZONEKV_DEVICE"].flatMap { $0.isEmpty ? nil : $0 } ?? "zonekv.zns"
    }

    /// Opens the store, creating an emulated device with the default geometry on first use
    /// (said on standard error, so scripts' results stay clean).
    func open() throws -> Store {
        let path = path
        let creating = !path.hasPrefix("/dev/") && !FileManager.default.fileExists(atPath: path)
        let store: Store
        do {
            var options = StoreOptions()
            options.rebuildIndexFromLog = rebuildIndex
            store = try Store.open(path, options: options)
        } catch {
            throw ToolFailure("cannot open the store on \(path): \(error.message)")
        }
        if creating {
            let geometry = store.geometry
            FileHandle.standardError.write(
                Data("created \(path): an emulated zoned device of \(geometry.zoneCount) zones of \(Formatting.bytes(geometry.zoneCapacity * UInt64(geometry.blockSize))) (a sparse file), with an empty store\n".utf8))
        }
        return store
    }
}

/// `zonekv format`: a new, empty store on a device.
struct FormatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "format", abstract: "Create a new, empty store on a device, erasing the store it held.")

    @OptionGroup var store: StoreSelection

    @Flag(help: "Also erase data that is not a ZoneKV store of this version.")
    var force = false

    func run() throws {
        do {
            try Store.format(store.path, erasingForeignData: force).close()
        } catch {
            throw ToolFailure("cannot format \(store.path): \(error.message)")
        }
        print("formatted \(store.path): an empty store")
    }
}

/// An error the tool prints as it is, exiting with status 1.
struct ToolFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
