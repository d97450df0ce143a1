import KV
import RaftCore
@_exported import TestSupport  // the shared SplitMix64, for every file of this target


func put(_ client: ClientID, _ seq: UInt64, _ key: String, _ value: String) -> ClientRequest {
    ClientRequest(client: client, seq: seq, op: .put(key: key, value: value))
}

func get(_ client: ClientID, _ seq: UInt64, _ key: String) -> ClientRequest {
    ClientRequest(client: client, seq: seq, op: .get(key: key))
}

func del(_ client: ClientID, _ seq: UInt64, _ key: String) -> ClientRequest {
    ClientRequest(client: client, seq: seq, op: .delete(key: key))
}

/// A normal log entry carrying `command`.
func entry(_ index: LogIndex, _ command: Command, term: Term = 1) -> Entry {
    Entry(term: term, index: index, kind: .normal, data: command.encode())
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
}

/// An in-memory cluster of KVServers. Messages are queued in `inFlight` and delivered by hand;
/// isolated nodes neither send nor receive. Storage is the RaftNode's own memory (nothing crashes).
final class TestCluster {
    let ids: [NodeID]
    private(set) var servers: [NodeID: KVServer] = [:]
    /// Messages sent and not yet delivered, in send order.
    var inFlight: [Message] = []
    /// Every reply any server produced, in order, with the node that sent it.
    private(set) var replies: [(node: NodeID, reply: ClientReply)] = []
    /// Every message handed to `step`, in order.
    private(set) var delivered: [Message] = []
    var isolated: Set<NodeID> = []

    init(size: Int, seed: UInt64, electionTicks: ClosedRange<Int> = 10...20, heartbeatTicks: Int = 3,
         sessionTTL: LogIndex = KVStore.defaultSessionTTL, snapshotEvery: LogIndex? = nil) throws {
        ids = (1...NodeID(size)).map { $0 }
        for id in ids {
            let config = RaftConfig(id: id, voters: ids, electionTicksMin: electionTicks.lowerBound,
                                    electionTicksMax: electionTicks.upperBound, heartbeatTicks: heartbeatTicks)
            let raft = try RaftNode(config: config, random: SplitMix64(seed: seed &+ id))
            let server = try KVServer(raft: raft, sessionTTL: sessionTTL, snapshotEvery: snapshotEvery)
            server.recordsCommands = true  // some tests read `ServerOutput.commands`
            servers[id] = server
        }
    }

    /// Every `ServerOutput` each node produced, in order.
    private(set) var outputs: [NodeID: [ServerOutput]] = [:]

    subscript(id: NodeID) -> KVServer { servers[id]! }

    /// Collect every node's Ready: queue its messages, keep its replies. Returns the replies of this pass.
    @discardableResult
    func processReady() -> [(node: NodeID, reply: ClientReply)] {
        var fresh: [(node: NodeID, reply: ClientReply)] = []
        for id in ids {
            let server = servers[id]!
            while let rd = server.ready() {
                inFlight.append(contentsOf: rd.messages)
                let out = server.advance(rd)
                outputs[id, default: []].append(out)
                for r in out.replies { fresh.append((id, r)) }
            }
        }
        replies.append(contentsOf: fresh)
        return fresh
    }

    /// Hand every queued message (only those matching `filter`) to its target, dropping those that
    /// touch an isolated node; the rest stay queued. Then collect Readys.
    @discardableResult
    func deliver(where filter: (Message) -> Bool = { _ in true }) -> [(node: NodeID, reply: ClientReply)] {
        let batch = inFlight
        inFlight = []
        for m in batch {
            if isolated.contains(m.from) || isolated.contains(m.to) { continue }
            if !filter(m) {
                inFlight.append(m)
                continue
            }
            delivered.append(m)
            servers[m.to]!.raft.step(m)
        }
        return processReady()
    }

    /// Deliver until no message is left (bounded).
    @discardableResult
    func settle(maxRounds: Int = 100) -> [(node: NodeID, reply: ClientReply)] {
        var all = processReady()
        var rounds = 0
        while !inFlight.isEmpty && rounds < maxRounds {
            all += deliver()
            rounds += 1
        }
        return all
    }

    func tickAll() {
        for id in ids { servers[id]!.raft.tick() }
    }

    /// The node that leads, if exactly one non-isolated node does in the highest term.
    var leader: NodeID? {
        let leaders = ids.filter { !isolated.contains($0) && servers[$0]!.raft.role == .leader }
        guard let best = leaders.max(by: { servers[$0]!.raft.term < servers[$1]!.raft.term }) else { return nil }
        return best
    }

    /// Tick and settle until a node outside `excluding` leads and has committed an entry of its term.
    func electLeader(excluding: Set<NodeID> = [], maxTicks: Int = 500) throws -> NodeID {
        for _ in 0..<maxTicks {
            tickAll()
            settle()
            if let l = leader, !excluding.contains(l), servers[l]!.raft.committedInCurrentTerm {
                return l
            }
        }
        throw TestFailure(description: "no leader after \(maxTicks) ticks")
    }

    /// Replies sent so far to `(client, seq)`.
    func replies(client: ClientID, seq: UInt64) -> [ClientReply] {
        replies.map(\.reply).filter { $0.client == client && $0.seq == seq }
    }
}
