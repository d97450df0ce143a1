import Check
import KV
import RaftCore

/// A hand-driven cluster of real `RaftNode`s for invariant-checker tests: a perfect network that
/// delivers every message in send order, storage that keeps whatever each Ready persisted, and a
/// checker fed after every Ready. Groups of nodes can be separate "clusters" sharing one checker,
/// which is how tests make two leaders claim one term.
final class TinyCluster {
    let checker: InvariantChecker
    private(set) var nodes: [NodeID: RaftNode] = [:]
    private(set) var storage: [NodeID: PersistentState] = [:]
    private var configs: [NodeID: RaftConfig] = [:]
    private var network: [Message] = []
    private var seed: UInt64
    var time: Timestamp = 0
    /// What each node applied, in order.
    private(set) var appliedLog: [NodeID: [Entry]] = [:]

    init(checker: InvariantChecker, seed: UInt64 = 1) {
        self.checker = checker
        self.seed = seed
    }

    /// Add a group of nodes that form one cluster.
    func addGroup(_ ids: [NodeID], storage initial: [NodeID: PersistentState] = [:]) {
        for id in ids {
            let config = RaftConfig(id: id, voters: ids)
            configs[id] = config
            storage[id] = initial[id] ?? .empty
            start(id)
        }
    }

    private func start(_ id: NodeID) {
        seed &+= 1
        nodes[id] = try! RaftNode(config: configs[id]!, storage: storage[id]!, random: SeededGenerator(seed: seed))
        appliedLog[id] = []
    }

    /// Crash `id` and bring it back from what it persisted.
    func restart(_ id: NodeID) {
        network.removeAll { $0.to == id || $0.from == id }
        start(id)
        checker.restarted(id)
        process(id)
    }

    /// Drive every node's Ready to completion and deliver messages until the network is quiet.
    func settle(maxRounds: Int = 1_000) {
        for _ in 0..<maxRounds {
            for id in nodes.keys.sorted() { process(id) }
            if network.isEmpty { return }
            let batch = network
            network.removeAll()
            for m in batch {
                guard let node = nodes[m.to] else { continue }
                node.step(m)
                checker.observe(node, at: time)
            }
        }
    }

    /// Advance time by one tick on every node, then settle.
    func tick(_ count: Int = 1) {
        for _ in 0..<count {
            time += 10_000_000
            for id in nodes.keys.sorted() {
                nodes[id]!.tick()
                checker.observe(nodes[id]!, at: time)
            }
            settle()
        }
    }

    /// Tick until some node of `group` leads; returns it.
    @discardableResult
    func electLeader(in group: [NodeID], maxTicks: Int = 500) -> NodeID? {
        for _ in 0..<maxTicks {
            if let l = group.first(where: { nodes[$0]!.role == .leader }) { return l }
            tick()
        }
        return group.first { nodes[$0]!.role == .leader }
    }

    /// Persist, send, apply and advance every pending Ready of `id`, reporting each to the checker.
    func process(_ id: NodeID) {
        let node = nodes[id]!
        while node.hasReady {
            let rd = node.ready()
            var st = storage[id]!
            if let hs = rd.hardState { st.hardState = hs }
            st.append(rd.entries)
            storage[id] = st
            network.append(contentsOf: rd.messages)
            appliedLog[id]!.append(contentsOf: rd.committedEntries)
            node.advance(rd)
            checker.afterReady(node, ready: rd, applied: rd.committedEntries, at: time)
        }
    }

    /// Propose a put through `leader`, settle, and return where it landed.
    @discardableResult
    func put(_ key: String, _ value: String, via leader: NodeID, client: ClientID = 1, seq: UInt64) -> (index: LogIndex, data: [UInt8]) {
        let data = Command(client: client, seq: seq, op: .put(key: key, value: value)).encode()
        let (index, _) = try! nodes[leader]!.propose(data)
        settle()
        return (index, data)
    }

    func node(_ id: NodeID) -> RaftNode { nodes[id]! }
}
