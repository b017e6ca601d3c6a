@_spi(Fuzzing) import ZoneKV
import YCSB
import ZoneKVShell

/// One reader of untrusted bytes, and how to feed it: what the fuzzers attack.
struct FuzzTarget: Sendable {
    var name: String
    var summary: String
    var run: @Sendable (UnsafeRawBufferPointer) -> Void

    static let all: [FuzzTarget] = [
        FuzzTarget(name: "zone", summary: "a zone's bytes through the append-unit and record decoders (512-byte blocks)") { bytes in
            OnDeviceDecoding.decodeZone(bytes, blockSize: 512)
        },
        FuzzTarget(name: "checkpoint-piece", summary: "a checkpoint piece's items through the checkpoint loader") { bytes in
            OnDeviceDecoding.loadCheckpointPiece(bytes)
        },
        FuzzTarget(name: "store-header", summary: "the store header (superblock) and checkpoint commit readers") { bytes in
            OnDeviceDecoding.readStoreHeader(bytes)
        },
        FuzzTarget(name: "value", summary: "a stored value through LZ4 decompression and the large-value descriptor reader") { bytes in
            OnDeviceDecoding.readValue(bytes)
        },
        FuzzTarget(name: "shell", summary: "a shell line through the tokenizer and the key and value syntax") { bytes in
            let line = String(decoding: bytes, as: UTF8.self)
            guard let statements = try? CommandLineTokenizer.statements(in: line) else { return }
            for statement in statements {
                for word in statement.words where !word.hasPrefix("@") {
                    _ = try? ByteSyntax.key(word)
                    _ = try? ByteSyntax.value(word, maximumBytes: 1 << 20)
                }
            }
        },
        FuzzTarget(name: "properties", summary: "a YCSB workload file through the property reader and the workload checks") { bytes in
            var properties = WorkloadProperties()
            guard (try? properties.read(String(decoding: bytes, as: UTF8.self), source: "fuzz")) != nil else { return }
            _ = try? CoreWorkload(properties)
        },
    ]

    static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }
}
