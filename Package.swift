// swift-tools-version: 6.1
// raftsh: a Raft key-value store and a scriptable shell over it.
// One target per layer; see README.md "Architecture".
import PackageDescription

/// The hot layers (core, store, checker, simulator) are single-threaded code whose safety the
/// compiler checks statically; the dynamic exclusivity checks of class properties cost about a
/// third of the simulator's time (callgrind: swift_beginAccess), so release builds skip them there.
let hot: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "raftsh",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "raftsh", targets: ["raftsh"]),
        .executable(name: "raftd", targets: ["raftd"]),
        .library(name: "RaftCore", targets: ["RaftCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
    ],
    targets: [
        // Layers, lowest first; each may import only those above it in this list (docs/architecture.md).
        // The pure consensus state machine: Swift standard library only.
        .target(name: "RaftCore", swiftSettings: hot),
        // The replicated key-value state machine, client sessions, the server glue, the client state machine.
        .target(name: "KV", dependencies: ["RaftCore"], swiftSettings: hot),
        // Histories, the invariant checker and linearizability checking; timestamps and their format.
        .target(name: "Check", dependencies: ["RaftCore", "KV"], swiftSettings: hot),
        // What every kind of cluster shares: capabilities, node status, operation results, the network
        // fault model, workload specs, the seeded generator.
        .target(name: "ClusterModel", dependencies: ["RaftCore", "KV", "Check"], swiftSettings: hot),
        // The deterministic simulator: virtual time, one seeded PRNG, simulated disks and clients.
        .target(name: "Sim", dependencies: [
            "RaftCore", "KV", "Check", "ClusterModel",
            .product(name: "Collections", package: "swift-collections"),
        ], swiftSettings: hot),
        // CRC-32C, with the processor's instruction (a C target) when it has one: the checksum of
        // datagrams and of everything a real node stores.
        .target(name: "CCRC32C"),
        .target(name: "Checksum", dependencies: ["CCRC32C"]),
        // The binary wire codec of messages between nodes, clients and the shell.
        .target(name: "Wire", dependencies: ["RaftCore", "KV", "Checksum"]),
        // open(2) with O_DIRECT | O_DSYNC, which Swift's Glibc module does not export: how the
        // write-ahead log writes and syncs a batch in one call.
        .target(name: "CDirectIO"),
        // The write-ahead log and hard-state file of a real node.
        .target(name: "Storage", dependencies: ["RaftCore", "Checksum", "CDirectIO"]),
        // sendmmsg(2), which Swift's Glibc module does not declare: how a node sends a turn's datagrams.
        .target(name: "CDatagram"),
        // The real node runtime over UDP (SwiftNIO): what raftd links, and nothing more.
        .target(name: "Node", dependencies: [
            "RaftCore", "KV", "Wire", "Storage", "CDatagram",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        ]),
        // The shell's side of real nodes: process supervisor, UDP clients, the UDP cluster and workloads.
        .target(name: "Harness", dependencies: [
            "RaftCore", "KV", "Check", "ClusterModel", "Wire", "Node",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        ]),
        // The scenario language: lexer, parser, one file per command, executor over cluster capabilities, runner.
        .target(name: "Scenario", dependencies: [
            "RaftCore", "KV", "Check", "ClusterModel", "Sim", "Wire", "Harness",
            .product(name: "Histogram", package: "hdrhistogram-swift"),
        ]),
        // libedit, reached through static inline wrappers for its varargs calls.
        .systemLibrary(name: "CLibEdit", pkgConfig: "libedit", providers: [.apt(["libedit-dev"])]),
        // The interactive shell: line editing, history, completion, rendering.
        .target(name: "Shell", dependencies: ["Scenario", "ClusterModel", "CLibEdit"]),
        // The command-line tools.
        .executableTarget(name: "raftsh", dependencies: [
            "RaftCore", "KV", "Check", "ClusterModel", "Sim", "Harness", "Node", "Scenario", "Shell",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Histogram", package: "hdrhistogram-swift"),
            // The etcd client of `raftsh bench compare` (etcd's HTTP gateway).
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        .executableTarget(name: "raftd", dependencies: [
            "RaftCore", "KV", "Wire", "Storage", "Node",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // A seeded generator, the LogStorage conformance checks and other helpers shared by the test targets.
        .target(name: "TestSupport", dependencies: ["RaftCore"], path: "Tests/TestSupport"),
        .testTarget(name: "RaftCoreTests", dependencies: ["RaftCore", "TestSupport"]),
        .testTarget(name: "KVTests", dependencies: ["TestSupport", "KV", "RaftCore"]),
        .testTarget(name: "CheckTests", dependencies: ["TestSupport", "Check", "KV", "RaftCore"]),
        .testTarget(name: "ClusterModelTests", dependencies: ["ClusterModel", "Check", "KV", "RaftCore"]),
        .testTarget(name: "SimTests", dependencies: ["TestSupport", "Sim", "ClusterModel", "Check", "KV", "RaftCore"]),
        .testTarget(name: "ScenarioTests", dependencies: ["TestSupport", "Scenario", "ClusterModel", "Sim", "Check", "RaftCore"]),
        .testTarget(name: "ChecksumTests", dependencies: ["TestSupport", "Checksum"]),
        .testTarget(name: "WireTests", dependencies: ["TestSupport", "Wire", "Checksum", "RaftCore", "KV"]),
        .testTarget(name: "StorageTests", dependencies: ["TestSupport", "Storage", "Checksum", "RaftCore", "CDirectIO"]),
        // Helpers for tests on real nodes: ports, temporary directories, in-process daemon clusters.
        .target(name: "NodeTestSupport", dependencies: ["Node", "Harness", "Wire", "RaftCore", "KV"],
                path: "Tests/NodeTestSupport"),
        .testTarget(name: "NodeTests", dependencies: ["NodeTestSupport", "Node", "Harness", "Wire", "Storage", "RaftCore", "KV"]),
        .testTarget(name: "HarnessTests", dependencies: [
            "NodeTestSupport", "Harness", "Node", "ClusterModel", "Scenario", "Sim", "Wire", "RaftCore", "KV", "Check",
        ]),
        .testTarget(name: "ShellTests", dependencies: ["Shell", "Scenario"]),
    ],
    swiftLanguageModes: [.v6]
)
