// swift-tools-version: 6.1
import PackageDescription

/// Settings shared by every Swift target of the package.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "ZoneKV",
    products: [
        .library(name: "ZoneKV", targets: ["ZoneKV"]),
        .executable(name: "zonekv", targets: ["zonekv"]),
        .executable(name: "zonekv-bench", targets: ["zonekv-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        // C layer: system libraries found through pkg-config, plus header-only shims for
        // what Swift cannot import (function-like macros, flexible array members).
        .systemLibrary(name: "CLibURing", pkgConfig: "liburing", providers: [.apt(["liburing-dev"])]),
        .systemLibrary(name: "CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
        .systemLibrary(name: "CLibEdit", pkgConfig: "libedit", providers: [.apt(["libedit-dev"])]),
        // Peer engines for the benchmark's comparisons.
        .systemLibrary(name: "CRocksDB", providers: [.apt(["librocksdb-dev"])]),
        .systemLibrary(name: "CLMDB", providers: [.apt(["liblmdb-dev"])]),
        // CRC32C with the CPU's instruction where there is one.
        .target(name: "CChecksum"),

        // The zoned device layer: geometry, commands, the nvme and emulated backends.
        .target(name: "ZoneKVDevice", dependencies: ["CLibURing"], swiftSettings: swiftSettings),

        // Checksum and compression codecs: Swift types over the C shims, beside the device layer.
        .target(name: "ZoneKVCodecs", dependencies: ["CChecksum", "CLZ4"], swiftSettings: swiftSettings),

        // The engine and public library.
        .target(name: "ZoneKV", dependencies: ["ZoneKVDevice", "ZoneKVCodecs"], swiftSettings: swiftSettings),

        // Line editing for the shell: Swift types over libedit, beside the device layer.
        .target(name: "ZoneKVLineEditor", dependencies: ["CLibEdit"], swiftSettings: swiftSettings),

        // Tools: the shell (a library, so its parsing and commands are tested directly) and
        // the command-line tool around it.
        .target(name: "ZoneKVShell", dependencies: ["ZoneKV"], path: "Tools/ZoneKVShell", swiftSettings: swiftSettings),
        .executableTarget(
            name: "zonekv",
            dependencies: [
                "ZoneKV", "ZoneKVShell", "ZoneKVLineEditor", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Tools/zonekv",
            swiftSettings: swiftSettings
        ),
        // RocksDB and LMDB as Swift types, for the benchmark's peer comparisons.
        .target(name: "PeerEngines", dependencies: ["CRocksDB", "CLMDB"], path: "Benchmarks/PeerEngines", swiftSettings: swiftSettings),
        // YCSB's workload definitions and generators, for the benchmark.
        .target(name: "YCSB", path: "Benchmarks/YCSB", swiftSettings: swiftSettings),
        .executableTarget(
            name: "zonekv-bench",
            dependencies: [
                "ZoneKV", "YCSB", "PeerEngines", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            path: "Benchmarks/zonekv-bench",
            swiftSettings: swiftSettings
        ),

        // Fuzzing: the readers of untrusted bytes (on-device data, shell lines, workload files)
        // for libFuzzer (Tools/fuzz builds it with -sanitize=fuzzer -DFUZZING); a plain build
        // writes seed corpora and replays inputs.
        .executableTarget(
            name: "zonekv-fuzz", dependencies: ["ZoneKV", "ZoneKVDevice", "ZoneKVShell", "YCSB"], path: "Tools/zonekv-fuzz",
            swiftSettings: swiftSettings
        ),

        .testTarget(name: "ZoneKVDeviceTests", dependencies: ["ZoneKVDevice"], swiftSettings: swiftSettings),
        .testTarget(name: "ZoneKVTests", dependencies: ["ZoneKV", "ZoneKVCodecs"], swiftSettings: swiftSettings),
        .testTarget(name: "ZoneKVShellTests", dependencies: ["ZoneKVShell", "ZoneKV"], swiftSettings: swiftSettings),
        .testTarget(name: "YCSBTests", dependencies: ["YCSB"], swiftSettings: swiftSettings),
    ]
)
