// swift-tools-version: 6.1
// raftsh: a Raft key-value store and a scriptable shell over it.
// One target per layer; see README.md "Architecture".
import PackageDescription

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
        // The pure consensus state machine: Swift standard library only.
        .target(name: "RaftCore"),
        // The replicated key-value state machine, client sessions, and the server glue.
        .target(name: "KV", dependencies: ["RaftCore"]),
        // Histories, the invariant checker and linearizability checking.
        .target(name: "Check", dependencies: ["RaftCore", "KV"]),
        // The deterministic simulator: virtual time, one seeded PRNG, network, disks, clients.
        .target(name: "Sim", dependencies: [
            "RaftCore", "KV", "Check",
            .product(name: "Collections", package: "swift-collections"),
        ]),
        // The scenario language: lexer, parser, AST, executor over a Cluster protocol.
        .target(name: "Scenario", dependencies: [
            "RaftCore", "KV", "Check", "Sim",
            .product(name: "Histogram", package: "hdrhistogram-swift"),
        ]),
        // The binary wire codec of messages between nodes, clients and the shell.
        .target(name: "Wire", dependencies: ["RaftCore", "KV"]),
        // The write-ahead log and hard-state file of a real node.
        .target(name: "Storage", dependencies: ["RaftCore"]),
        // The real node runtime over UDP (SwiftNIO), and the shell's view of a UDP cluster.
        .target(name: "Node", dependencies: [
            "RaftCore", "KV", "Check", "Sim", "Wire", "Storage", "Scenario",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        // libedit, reached through static inline wrappers for its varargs calls.
        .systemLibrary(name: "CLibEdit", pkgConfig: "libedit", providers: [.apt(["libedit-dev"])]),
        // The interactive shell: line editing, history, completion, rendering.
        .target(name: "Shell", dependencies: ["Scenario", "Sim", "CLibEdit"]),
        // The command-line tools.
        .executableTarget(name: "raftsh", dependencies: [
            "RaftCore", "KV", "Check", "Sim", "Scenario", "Shell", "Node",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Histogram", package: "hdrhistogram-swift"),
        ]),
        .executableTarget(name: "raftd", dependencies: [
            "RaftCore", "KV", "Wire", "Storage", "Node",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // A seeded generator and other helpers shared by the test targets.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "RaftCoreTests", dependencies: ["RaftCore", "TestSupport"]),
        .testTarget(name: "KVTests", dependencies: ["TestSupport", "KV", "RaftCore"]),
        .testTarget(name: "CheckTests", dependencies: ["TestSupport", "Check", "KV", "RaftCore"]),
        .testTarget(name: "SimTests", dependencies: ["Sim", "Check", "KV", "RaftCore"]),
        .testTarget(name: "ScenarioTests", dependencies: ["TestSupport", "Scenario", "Sim"]),
        .testTarget(name: "WireTests", dependencies: ["TestSupport", "Wire", "RaftCore", "KV"]),
        .testTarget(name: "StorageTests", dependencies: ["TestSupport", "Storage", "RaftCore"]),
        .testTarget(name: "NodeTests", dependencies: ["Node", "Wire", "Storage", "RaftCore", "KV", "Check", "Sim", "Scenario"]),
        .testTarget(name: "ShellTests", dependencies: ["Shell", "Scenario"]),
    ],
    swiftLanguageModes: [.v6]
)
