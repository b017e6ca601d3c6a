import Foundation
import ZoneKV

/// Garbage collection, checkpoints and checks, on demand.
enum MaintenanceCommands {
    static let all = [collect, checkpoint, check]

    static let collect = ShellCommand(
        "gc", summary: "collect garbage now: every zone worth it is copied out and reset",
        details: "Prints a line per zone collected, then what was reclaimed. The store also does this by itself."
    ) { invocation in
        var zones = 0
        var copied = 0
        let before = try invocation.store.statistics().freeZones
        while let summary = try invocation.store.collectGarbage() {
            zones += 1
            copied += summary.copiedBytes
            invocation.output.progress("collecting: \(zones) zones so far, zone \(summary.zone) copied \(summary.copiedRecords) records")
        }
        invocation.output.endProgress()
        let after = try invocation.store.statistics().freeZones
        invocation.output.line(
            zones == 0
                ? "nothing to collect: no zone holds enough garbage"
                : "collected \(zones) zones, copied \(Formatting.bytes(copied)) of live data; free zones \(before) -> \(after)")
    }

    static let checkpoint = ShellCommand(
        "checkpoint", summary: "write a checkpoint of the index now, so the next open replays nothing before it"
    ) { invocation in
        guard let summary = try invocation.store.checkpoint() else { throw ShellError("the checkpoint was not written") }
        invocation.output.line(
            "checkpoint \(summary.id): \(summary.keys) keys, \(summary.pieces) pieces, \(Formatting.bytes(summary.bytes)) in \(String(format: "%.2f", summary.seconds)) s")
    }

    static let check = ShellCommand(
        "check", summary: "read every zone and every key's record back and verify their checksums against the index",
        details: "Shows a progress bar on a terminal and ends with a summary; fails if any key's record is damaged."
    ) { invocation in
        let output = invocation.output
        let report = try invocation.store.check { progress in
            let filled = Int(progress.fraction * 30)
            output.progress(
                "checking \(Formatting.padded(progress.phase, 5)) [\(String(repeating: "#", count: filled))\(String(repeating: ".", count: 30 - filled))] \(Int(progress.fraction * 100))%")
        }
        output.endProgress()
        output.line(
            "checked \(report.zones) zones (\(report.units) units, \(report.records) records, \(report.unreadableBlocks) unreadable blocks) and \(report.keysChecked + report.damagedKeyCount) keys: \(report.isHealthy ? "all intact" : "\(report.damagedKeyCount) damaged")")
        for damaged in report.damagedKeys { output.line("damaged: \(damaged)") }
        if !report.isHealthy { throw ShellError("\(report.damagedKeyCount) keys could not be read back intact") }
    }
}

/// The session itself: help and leaving.
enum SessionCommands {
    static let all = [help, quit]

    static let help = ShellCommand(
        "help", usage: "[COMMAND]", arguments: 0...1, summary: "list the commands, or explain one with examples",
        examples: ["help", "help put"]
    ) { invocation in
        guard let name = invocation.words.first else {
            let width = CommandTable.all.map(\.synopsis.count).max() ?? 0
            for command in CommandTable.all { invocation.output.line("\(Formatting.padded(command.synopsis, width))  \(command.summary)") }
            invocation.output.line("\nValues: text, 0x hex, b64:base64 or @file; quote with ' or \". Several commands on a line: separate them with ;.")
            return
        }
        guard let command = CommandTable.command(named: name.lowercased()) else {
            let suggestion = CommandTable.suggestion(for: name).map { "; did you mean '\($0)'?" } ?? ""
            throw ShellError("no command '\(name)'\(suggestion)")
        }
        invocation.output.line("\(command.synopsis)\n  \(command.summary)")
        if !command.details.isEmpty { invocation.output.line(command.details.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n")) }
        if !command.examples.isEmpty { invocation.output.line("examples:\n" + command.examples.map { "  " + $0 }.joined(separator: "\n")) }
    }

    static let quit = ShellCommand("quit", summary: "close the store and leave") { invocation in
        if invocation.session.batch != nil { invocation.output.message("the open batch was dropped (not committed)") }
        invocation.session.finish()
    }
}
