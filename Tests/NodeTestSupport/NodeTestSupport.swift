import Foundation
import Testing
import RaftCore
import KV
import Wire
import Node
import Harness

public struct TestFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// `n` UDP sockets bound on 127.0.0.1 to ports the kernel picked, held until closed: the nodes of
/// a test run on them (`NodeConfig.listenDescriptor`, `raftd --listen-fd`), so no other process can
/// take a node's port, neither before the node starts nor while it is stopped (see `BoundUDPSocket`).
public func boundSockets(_ n: Int) throws -> [BoundUDPSocket] {
    do {
        return try BoundUDPSocket.several(n)
    } catch {
        throw TestFailure(error.message)
    }
}

/// A fresh empty directory under the system temporary directory.
public func makeTempDir(_ label: String) throws -> String {
    var template = Array((NSTemporaryDirectory() + "raftsh-node-\(label)-XXXXXX").utf8CString)
    guard let p = mkdtemp(&template) else { throw TestFailure("mkdtemp failed") }
    return String(cString: p)
}

public func removeDir(_ path: String) {
    try? FileManager.default.removeItem(atPath: path)
}

/// Poll `condition` every 20 ms until it holds or `limit` passes; returns whether it held.
public func eventually(within limit: Duration, _ condition: () -> Bool) -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + limit
    while clock.now < deadline {
        if condition() { return true }
        usleep(20_000)
    }
    return condition()
}

public func sleepFor(_ d: Duration) {
    usleep(useconds_t(NodeConfig.nanoseconds(d) / 1_000))
}

/// The leader of the highest term among the nodes that answer `status`.
public func findLeader(_ client: UDPClient, among ids: [NodeID]) -> (id: NodeID, term: Term)? {
    var best: (NodeID, Term)?
    for id in ids {
        guard case .status(let r)? = client.control(.status, to: id, timeout: .milliseconds(300)) else { continue }
        if r.role == .leader, best == nil || r.term > best!.1 { best = (id, r.term) }
    }
    return best
}

public func waitForLeader(_ client: UDPClient, among ids: [NodeID], within limit: Duration = .seconds(5),
                   excluding excluded: NodeID? = nil) -> NodeID? {
    var found: NodeID?
    _ = eventually(within: limit) {
        if let l = findLeader(client, among: ids), l.id != excluded { found = l.id; return true }
        return false
    }
    return found
}

public func status(_ client: UDPClient, _ id: NodeID) -> NodeReport? {
    guard case .status(let r)? = client.control(.status, to: id, timeout: .milliseconds(500)) else { return nil }
    return r
}

/// Three (or `size`) in-process daemons on loopback, each with its own data directory and event loop.
/// `shutdown()` stops every daemon and removes the directories; call it in a `defer`.
///
/// Each node's socket is bound once, when the cluster is made, and held by the cluster; every
/// start of the node takes a copy of it, so a stopped node's port stays reserved for its restart.
/// What peers sent to a stopped node queues on that socket (raftd asks for a 4 MB receive buffer);
/// a restart discards it first, as a real crash loses it, so that the node does not catch up from
/// appends sent while it was down (as `UDPCluster` does).
public final class LocalCluster {
    public let ids: [NodeID]
    public let peers: [NodeID: HostPort]
    public let dirs: [NodeID: String]
    public let clusterKey: String
    public private(set) var daemons: [NodeID: RaftDaemon] = [:]
    private var clients: [UDPClient] = []
    private let sockets: [NodeID: BoundUDPSocket]
    /// Nodes started at least once (a start of any other is their first).
    private var startedOnce: Set<NodeID> = []
    /// Every node's `NodeConfig.snapshotEvery`.
    public var snapshotEvery: LogIndex? = NodeConfig.defaultSnapshotEvery
    /// Every node's `NodeConfig.backgroundWrites`.
    public var backgroundWrites = false
    /// `NodeConfig.voters` of some nodes (the others start with every node of the cluster as voters).
    public var voters: [NodeID: [NodeID]] = [:]

    public init(size: Int = 3, clusterKey: String = "test-key") throws {
        let bound = try boundSockets(size)
        ids = (1...size).map { NodeID($0) }
        var p: [NodeID: HostPort] = [:]
        var d: [NodeID: String] = [:]
        var s: [NodeID: BoundUDPSocket] = [:]
        for (i, id) in ids.enumerated() {
            p[id] = HostPort(host: "127.0.0.1", port: bound[i].port)
            s[id] = bound[i]
            d[id] = try makeTempDir("n\(id)")
        }
        peers = p
        dirs = d
        sockets = s
        self.clusterKey = clusterKey
    }

    /// Node `id`'s configuration, on a fresh copy of its held socket.
    public func config(_ id: NodeID) throws -> NodeConfig {
        var c = NodeConfig(id: id, peers: peers, dataDirectory: dirs[id]!, clusterKey: clusterKey, snapshotEvery: snapshotEvery)
        c.voters = voters[id]
        c.backgroundWrites = backgroundWrites
        do { c.listenDescriptor = try sockets[id]!.duplicate() } catch { throw TestFailure(error.message) }
        return c
    }

    /// Start node `id` (fatal storage errors fail the test instead of exiting the test process).
    @discardableResult
    public func start(_ id: NodeID) throws -> RaftDaemon {
        if !startedOnce.insert(id).inserted, daemons[id] == nil { sockets[id]!.drain() }
        let c = try config(id)
        let d: RaftDaemon
        do {
            d = try RaftDaemon.start(c, log: { _ in }, onFatal: { msg in Issue.record("node \(id) fatal: \(msg)") })
        } catch {
            if let fd = c.listenDescriptor { close(fd) }
            throw error
        }
        daemons[id] = d
        return d
    }

    public func startAll() throws {
        for id in ids { try start(id) }
    }

    public func stop(_ id: NodeID) {
        daemons.removeValue(forKey: id)?.stop()
    }

    public func client(id: ClientID = ClientID.random(in: 1...UInt64(UInt32.max)), key: String? = nil) throws -> UDPClient {
        let c = try UDPClient(nodes: peers.mapValues(\.description), clusterKey: key ?? clusterKey, clientID: id)
        clients.append(c)
        return c
    }

    public func shutdown() {
        for c in clients { c.close() }
        clients.removeAll()
        for id in ids { stop(id) }
        for socket in sockets.values { socket.close() }
        for dir in dirs.values { removeDir(dir) }
    }
}

extension ReplyOutcome {
    public var isOK: Bool { self == .done(.ok) }
}
