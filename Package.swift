// swift-tools-version: 6.1
// raftsh: a Raft key-value store and a scriptable shell over it.
// One target per layer; see README.md "Architecture".
import PackageDescription

let package = Package(
    name: "raftsh",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "raftsh", targets: ["raftsh"]),
        .library(name: "RaftCore", targets: ["RaftCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
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
        .target(name: "Scenario", dependencies: ["RaftCore", "KV", "Check", "Sim"]),
        // The command-line tool.
        .executableTarget(name: "raftsh", dependencies: [
            "RaftCore", "KV", "Check", "Sim", "Scenario",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "RaftCoreTests", dependencies: ["RaftCore"]),
        .testTarget(name: "KVTests", dependencies: ["KV", "RaftCore"]),
        .testTarget(name: "CheckTests", dependencies: ["Check", "KV", "RaftCore"]),
        .testTarget(name: "SimTests", dependencies: ["Sim", "Check", "KV", "RaftCore"]),
        .testTarget(name: "ScenarioTests", dependencies: ["Scenario", "Sim"]),
    ],
    swiftLanguageModes: [.v6]
)
