import ZoneKV

/// Reading and writing keys.
enum DataCommands {
    static let all = [put, get, delete, exists, scan, prefix, count]

    static let put = ShellCommand(
        "put", usage: "KEY VALUE", arguments: 2...2, summary: "set KEY to VALUE; prints OK once the write is durable on the device",
        details: """
            VALUE is text, 0x followed by hex digits, b64: followed by base64, or @FILE for a
            file's contents. Inside a batch the put is queued (QUEUED) until commit.
            """,
        examples: ["put user42 \"Ada Lovelace\"", "put blob 0xdeadbeef", "put photo @photo.jpg"]
    ) { invocation in
        let key = try invocation.key(0)
        let value = try invocation.value(1)
        if invocation.session.batch != nil {
            invocation.session.batch!.put(key, value)
            invocation.output.line("QUEUED")
        } else {
            try invocation.store.put(key, value)
            invocation.output.line("OK")
        }
    }

    static let get = ShellCommand(
        "get", usage: "KEY", arguments: 1...1, summary: "print KEY's value, or (nil) when the key is absent",
        details: """
            Text values print as they are, other bytes as 0x hex. Send the raw bytes to a file
            with a redirection: get KEY > FILE.
            """,
        examples: ["get user42", "get photo > photo.jpg"]
    ) { invocation in
        guard let value = try invocation.store.get(try invocation.key(0)) else {
            invocation.output.line("(nil)")
            return
        }
        if invocation.output.isRedirected { invocation.output.bytes(value) } else { invocation.output.line(ByteSyntax.display(value)) }
    }

    static let delete = ShellCommand(
        "del", usage: "KEY", arguments: 1...1, summary: "remove KEY (nothing happens if it is absent); prints OK",
        examples: ["del user42"]
    ) { invocation in
        let key = try invocation.key(0)
        if invocation.session.batch != nil {
            invocation.session.batch!.delete(key)
            invocation.output.line("QUEUED")
        } else {
            try invocation.store.delete(key)
            invocation.output.line("OK")
        }
    }

    static let exists = ShellCommand(
        "exists", usage: "KEY", arguments: 1...1, summary: "print 1 if the store holds KEY, else 0", examples: ["exists user42"]
    ) { invocation in
        invocation.output.line(try invocation.store.contains(try invocation.key(0)) ? "1" : "0")
    }

    static let scan = ShellCommand(
        "scan", usage: "[FROM] [TO] [LIMIT]", arguments: 0...3,
        summary: "print KEY<TAB>VALUE for keys from FROM up to (not including) TO, in byte order",
        details: "Write - for an open end. Without LIMIT every key in the range is printed.",
        examples: ["scan", "scan user1 user2", "scan - - 10", "scan a - 5"]
    ) { invocation in
        let bound = { (position: Int) throws -> [UInt8]? in
            position < invocation.words.count && invocation.words[position] != "-" ? try invocation.key(position) : nil
        }
        let limit = invocation.words.count == 3 ? try invocation.count(2, naming: "LIMIT") : nil
        print(try invocation.store.scan(from: try bound(0), to: try bound(1), limit: limit), to: invocation.output)
    }

    static let prefix = ShellCommand(
        "prefix", usage: "PREFIX [LIMIT]", arguments: 1...2, summary: "print KEY<TAB>VALUE for keys starting with PREFIX",
        examples: ["prefix user", "prefix user 10"]
    ) { invocation in
        let limit = invocation.words.count == 2 ? try invocation.count(1, naming: "LIMIT") : nil
        let prefix = try ByteSyntax.key(invocation.words[0])
        print(try invocation.store.scan(prefix: prefix, limit: limit), to: invocation.output)
    }

    static let count = ShellCommand("count", summary: "print how many keys the store holds") { invocation in
        invocation.output.line("\(try invocation.store.statistics().keys)")
    }

    private static func print(_ pairs: [KeyValuePair], to output: ShellOutput) {
        for pair in pairs { output.line("\(ByteSyntax.display(pair.key))\t\(ByteSyntax.display(pair.value))") }
    }
}

/// Batches: several changes applied together or not at all.
enum BatchCommands {
    static let all = [begin, commit, abort]

    static let begin = ShellCommand(
        "batch", summary: "start a batch: puts and deletes are queued until commit",
        examples: ["batch", "put a 1", "del b", "commit"]
    ) { invocation in
        guard invocation.session.batch == nil else { throw ShellError("a batch is already open; commit or abort it first") }
        invocation.session.batch = WriteBatch()
        invocation.output.line("OK")
    }

    static let commit = ShellCommand(
        "commit", summary: "apply the batch's changes, all or none; prints OK once durable on the device"
    ) { invocation in
        guard let batch = invocation.session.batch else { throw ShellError("no batch is open; start one with batch") }
        invocation.session.batch = nil
        try invocation.store.write(batch)
        invocation.output.line("OK")
    }

    static let abort = ShellCommand("abort", summary: "drop the batch's changes") { invocation in
        guard invocation.session.batch != nil else { throw ShellError("no batch is open") }
        invocation.session.batch = nil
        invocation.output.line("OK")
    }
}
