@testable import RaftCore
@_exported import TestSupport  // the shared SplitMix64, for every file of this target

// An in-memory harness that drives RaftNodes exactly as a real driver would (persist, send, apply,
// advance), with a network whose deliveries the test controls one message at a time.
// No clock, no sleeps, no global randomness.


/// Stable storage of one node: what survives a crash. Everything persisted survives (the harness
/// checks sync ordering through the Readies, not by losing writes).
final class MemoryStorage: LogStorage {
    /// What is stored; the log starts right after `persistent.snapshot`.
    private(set) var persistent: PersistentState
    /// How many Readies asked for a sync.
    var syncs = 0

    init(_ state: PersistentState = .empty) {
        persistent = state
    }

    /// Step 1 of a Ready: persist the snapshot, then hard state and entries (entries replace the stored suffix).
    func persist(_ rd: Ready) {
        if let snapshot = rd.snapshot { persistent.saveSnapshot(snapshot, replacingLog: rd.installsSnapshot) }
        write(hardState: rd.hardState, entries: rd.entries, sync: rd.mustSync)
    }

    /// Stores a snapshot as a Ready asks (see `PersistentState.saveSnapshot`).
    func saveSnapshot(_ snapshot: Snapshot, replacingLog: Bool) {
        persistent.saveSnapshot(snapshot, replacingLog: replacingLog)
        syncs += 1
    }

    /// Stores `hs` if given, and `new` in place of every entry from `new.first!.index` on.
    func write(hardState hs: HardState?, entries new: [Entry], sync: Bool) {
        if let hs { persistent.hardState = hs }
        persistent.append(new)
        if sync { syncs += 1 }
    }

    var entries: [Entry] { persistent.entries }
    var hardState: HardState { persistent.hardState }
    var firstIndex: LogIndex { persistent.firstIndex }
    var lastIndex: LogIndex { persistent.lastIndex }
    var snapshot: SnapshotMetadata { persistent.snapshot }
    var snapshotData: [UInt8] { persistent.snapshotData }
    func term(at index: LogIndex) -> Term? { persistent.term(at: index) }
    func entries(in range: Range<LogIndex>) -> [Entry]? { persistent.entries(in: range) }
}

/// Builds a log whose entry `first + i` has term `terms[i]`; the data names index and term so that two
/// entries are equal exactly when index and term are.
func makeLog(_ terms: [Term], from first: LogIndex = 1) -> [Entry] {
    terms.enumerated().map { i, t in
        let index = first + LogIndex(i)
        return Entry(term: t, index: index, kind: .normal, data: Array("i\(index)t\(t)".utf8))
    }
}

/// The terms of a log, for compact assertions.
func terms(_ entries: [Entry]) -> [Term] { entries.map(\.term) }

func testConfig(id: NodeID, voters: [NodeID], preVote: Bool = true, checkQuorum: Bool = true,
                maxInflight: Int = 64, maxMessageBytes: Int = 64 * 1024) -> RaftConfig {
    RaftConfig(id: id, voters: voters, electionTicksMin: 10, electionTicksMax: 20, heartbeatTicks: 2,
               preVote: preVote, checkQuorum: checkQuorum, maxInflight: maxInflight,
               maxMessageBytes: maxMessageBytes)
}

/// A cluster of RaftNodes joined by a network whose every delivery the test decides.
final class Network {
    private(set) var ids: [NodeID]
    private(set) var configs: [NodeID: RaftConfig] = [:]
    private(set) var nodes: [NodeID: RaftNode] = [:]
    private(set) var storage: [NodeID: MemoryStorage] = [:]
    /// Everything each node handed out as committed, in order (across restarts the core hands it out again).
    private(set) var applied: [NodeID: [Entry]] = [:]
    /// Each node's toy state machine: `index=data;` for every entry applied since its latest
    /// snapshot, after that snapshot's data (which is this same text up to its index). Two nodes that
    /// applied the same entries hold equal states, whether they got there by entries or by a snapshot.
    private(set) var state: [NodeID: [UInt8]] = [:]
    /// The snapshots each node was handed to load, in order.
    private(set) var installed: [NodeID: [Snapshot]] = [:]
    private(set) var readStates: [NodeID: [ReadState]] = [:]
    private(set) var droppedReads: [NodeID: [ReadContext]] = [:]
    /// Every Ready each node produced, in order.
    private(set) var readies: [NodeID: [Ready]] = [:]
    /// Messages sent and not yet delivered or dropped, in send order.
    private(set) var inFlight: [Message] = []
    /// Every message ever sent, in order.
    private(set) var sent: [Message] = []
    /// Messages discarded by `drop`, `blocked` or a crashed receiver.
    private(set) var lost: [Message] = []
    /// Answers sent before what they promise was in storage (must stay empty).
    private(set) var durabilityViolations: [String] = []
    /// With `RaftConfig.asyncStorageWrites`: per node, the entry writes handed out and not yet
    /// reported durable (`reportDurable`), by their last entry. (This harness stores every Ready at
    /// once, so a hard state is durable when handed out; only the report of entries is delayed.)
    private(set) var unreported: [NodeID: [(index: LogIndex, term: Term)]] = [:]
    /// Messages of a node that is not leading, held until its unreported writes are reported.
    private(set) var held: [NodeID: [Message]] = [:]
    /// Nodes that are crashed.
    private(set) var down: Set<NodeID> = []
    /// Directed links that lose everything.
    private var blocked: Set<[NodeID]> = []
    /// Messages for which this returns true are lost when sent.
    var drop: ((Message) -> Bool)?
    private var seed: UInt64
    private var incarnation: UInt64 = 0

    init(_ count: Int, seed: UInt64 = 1, storage initial: [NodeID: PersistentState] = [:],
         configure: (inout RaftConfig) -> Void = { _ in }) {
        ids = (1...count).map { NodeID($0) }
        self.seed = seed
        for id in ids {
            var c = testConfig(id: id, voters: ids)
            configure(&c)
            configs[id] = c
            storage[id] = MemoryStorage(initial[id] ?? .empty)
            applied[id] = []
            installed[id] = []
            readStates[id] = []
            droppedReads[id] = []
            readies[id] = []
            start(id)
            settle(id)
        }
    }

    /// Starts a new node `id` that joins the cluster: no configuration of its own (it learns one from
    /// the leader), unless `configure` gives it one.
    func addNode(_ id: NodeID, configure: (inout RaftConfig) -> Void = { _ in }) {
        precondition(!ids.contains(id), "node \(id) exists")
        ids.append(id)
        var c = testConfig(id: id, voters: [])
        configure(&c)
        configs[id] = c
        storage[id] = MemoryStorage()
        applied[id] = []
        installed[id] = []
        readStates[id] = []
        droppedReads[id] = []
        readies[id] = []
        start(id)
        settle(id)
    }

    private func start(_ id: NodeID) {
        incarnation += 1
        let rng = SplitMix64(seed: seed &* 0x100 &+ id &* 0x10001 &+ incarnation)
        nodes[id] = try! RaftNode(config: configs[id]!, storage: storage[id]!, random: rng)
        state[id] = storage[id]!.snapshotData
    }

    subscript(_ id: NodeID) -> RaftNode { nodes[id]! }

    /// The last Ready `id` produced.
    func lastReady(_ id: NodeID) -> Ready? { readies[id]?.last }

    // MARK: Driving one node

    /// Runs one Ready cycle of `id` the way a driver must: persist, send, apply, advance.
    @discardableResult
    func processReady(_ id: NodeID) -> Ready? {
        guard !down.contains(id), let n = nodes[id], n.hasReady else { return nil }
        let rd = beginReady(id)
        n.advance(rd)
        return rd
    }

    /// The first half of a Ready cycle: persist, send and apply, but do not call `advance` yet.
    func beginReady(_ id: NodeID) -> Ready {
        let n = nodes[id]!
        let rd = n.ready()
        readies[id]!.append(rd)
        storage[id]!.persist(rd)
        checkDurable(id, rd)
        if configs[id]!.asyncStorageWrites {
            if let last = rd.entries.last { unreported[id, default: []].append((last.index, last.term)) }
            if n.role != .leader && !(unreported[id] ?? []).isEmpty {
                held[id, default: []].append(contentsOf: rd.messages)
            } else {
                for m in rd.messages { send(m) }
            }
        } else {
            for m in rd.messages { send(m) }
        }
        if let s = rd.snapshotToApply {
            installed[id]!.append(s)
            state[id] = s.data
        }
        applied[id]!.append(contentsOf: rd.committedEntries)
        for e in rd.committedEntries { state[id]!.append(contentsOf: Array("\(e.index)=".utf8) + e.data + [59]) }
        readStates[id]!.append(contentsOf: rd.readStates)
        droppedReads[id]!.append(contentsOf: rd.droppedReads)
        return rd
    }

    /// Answers that promise something durable must find it in storage once the Ready is persisted:
    /// a granted vote, and the entries an append answer acknowledges.
    private func checkDurable(_ id: NodeID, _ rd: Ready) {
        let st = storage[id]!
        for m in rd.messages {
            switch m.kind {
            case .voteResponse where !m.reject:
                if st.hardState.term != m.term || st.hardState.vote != m.to {
                    durabilityViolations.append("\(id): vote for \(m.to) in t\(m.term) sent before it was stored")
                }
            case .appendResponse where !m.reject && m.index > 0:
                if st.lastIndex < m.index || st.hardState.term < m.term || st.term(at: m.index) == nil {
                    durabilityViolations.append("\(id): acknowledged index \(m.index) with \(st.lastIndex) stored")
                }
            default:
                break
            }
        }
    }

    /// The second half: acknowledge `rd`, then run any further Ready cycles.
    func finishReady(_ id: NodeID, _ rd: Ready) {
        nodes[id]!.advance(rd)
        settle(id)
    }

    /// Runs Ready cycles of `id` until it has nothing more.
    func settle(_ id: NodeID) {
        var guardCount = 0
        while processReady(id) != nil {
            guardCount += 1
            precondition(guardCount < 1000, "node \(id) never settles")
        }
    }

    func settleAll() { for id in ids { settle(id) } }

    /// With `RaftConfig.asyncStorageWrites`: tells `id` that its writes handed out so far are
    /// durable, in order, sends the messages held behind them, and runs its Ready cycles.
    func reportDurable(_ id: NodeID) {
        guard let n = nodes[id], !down.contains(id) else { return }
        let writes = unreported[id] ?? []
        unreported[id] = []
        for w in writes { n.persisted(through: w.index, term: w.term) }
        let messages = held[id] ?? []
        held[id] = []
        for m in messages { send(m) }
        settle(id)
    }

    func tick(_ id: NodeID, times: Int = 1) {
        for _ in 0..<times {
            guard !down.contains(id) else { return }
            nodes[id]!.tick()
            settle(id)
        }
    }

    func tickAll(times: Int = 1) {
        for _ in 0..<times { for id in ids where !down.contains(id) { tick(id) } }
    }

    /// Makes `id` take a snapshot of its state at its applied index and compact its log there, then
    /// runs its Ready cycles (which store the snapshot). Returns the snapshot's index.
    @discardableResult
    func compact(_ id: NodeID) throws -> LogIndex {
        let n = nodes[id]!
        let index = n.log.applied
        try n.compact(to: index, data: state[id]!)
        settle(id)
        return index
    }

    // MARK: The network

    private func send(_ m: Message) {
        sent.append(m)
        if blocked.contains([m.from, m.to]) || drop?(m) == true {
            lost.append(m)
        } else {
            inFlight.append(m)
        }
    }

    /// Injects a message as if it arrived from the network (it is delivered at once).
    func inject(_ m: Message) {
        guard let n = nodes[m.to], !down.contains(m.to) else { return }
        n.step(m)
        settle(m.to)
    }

    /// Delivers the oldest message in flight (dropping it if its receiver is down). Returns it.
    @discardableResult
    func deliverNext() -> Message? {
        guard !inFlight.isEmpty else { return nil }
        let m = inFlight.removeFirst()
        if down.contains(m.to) || blocked.contains([m.from, m.to]) {
            lost.append(m)
        } else {
            nodes[m.to]?.step(m)
            settle(m.to)
        }
        return m
    }

    /// Delivers the first message in flight matching `where`, leaving the others in place.
    /// With `settle: false` the receiver only steps it (its Ready is left for the test).
    @discardableResult
    func deliverFirst(settle: Bool = true, where match: (Message) -> Bool) -> Message? {
        guard let i = inFlight.firstIndex(where: match) else { return nil }
        return deliver(at: i, settle: settle)
    }

    /// Delivers the message at position `i` of `inFlight`; with `duplicate` a copy stays in flight.
    @discardableResult
    func deliver(at i: Int, duplicate: Bool = false, settle doSettle: Bool = true) -> Message {
        let m = duplicate ? inFlight[i] : inFlight.remove(at: i)
        if down.contains(m.to) || blocked.contains([m.from, m.to]) {
            lost.append(m)
        } else {
            nodes[m.to]?.step(m)
            if doSettle { settle(m.to) }
        }
        return m
    }

    /// Loses the message at position `i` of `inFlight`.
    func lose(at i: Int) { lost.append(inFlight.remove(at: i)) }

    /// Removes every message in flight matching `where` (they are lost).
    func discard(where match: (Message) -> Bool) {
        lost.append(contentsOf: inFlight.filter(match))
        inFlight.removeAll(where: match)
    }

    /// Delivers messages (including the ones deliveries cause) until none is in flight. Returns how many.
    @discardableResult
    func deliverAll(limit: Int = 100_000) -> Int {
        var count = 0
        while deliverNext() != nil {
            count += 1
            precondition(count < limit, "network never goes quiet")
        }
        return count
    }

    /// Delivers only the messages in flight now, not the ones they cause (one round trip half).
    func deliverRound() {
        let n = inFlight.count
        for _ in 0..<n { deliverNext() }
    }

    func block(_ from: NodeID, _ to: NodeID) { blocked.insert([from, to]) }

    /// Cuts `group` off from everyone else in both directions.
    func isolate(_ group: Set<NodeID>) {
        for a in ids where group.contains(a) {
            for b in ids where !group.contains(b) {
                block(a, b)
                block(b, a)
            }
        }
    }

    func heal() { blocked.removeAll(); drop = nil }

    // MARK: Crashes

    /// Crashes `id`: it loses everything but its storage, and messages to it are lost.
    func crash(_ id: NodeID) {
        down.insert(id)
        nodes[id] = nil
        unreported[id] = []
        held[id] = []
    }

    /// Restarts `id` from its storage.
    func restart(_ id: NodeID) {
        down.remove(id)
        start(id)
        settle(id)
    }

    // MARK: Helpers

    /// Ticks `id` alone (delivering nothing) until it leaves the follower role; returns the ticks taken.
    @discardableResult
    func tickUntilCampaign(_ id: NodeID, limit: Int = 1000) -> Int {
        for i in 1...limit {
            tick(id)
            if nodes[id]!.role != .follower { return i }
        }
        preconditionFailure("node \(id) never campaigned")
    }

    /// Makes `id` campaign and delivers everything until quiet; returns whether it leads.
    @discardableResult
    func elect(_ id: NodeID) -> Bool {
        tickUntilCampaign(id)
        deliverAll()
        return nodes[id]!.role == .leader
    }

    /// The nodes that are up and lead, with their terms.
    var leaders: [(id: NodeID, term: Term)] {
        ids.compactMap { id in
            guard let n = nodes[id], !down.contains(id), n.role == .leader else { return nil }
            return (id, n.term)
        }
    }

    /// Proposes `data` at `id` and runs its Ready.
    @discardableResult
    func propose(_ id: NodeID, _ data: String) throws -> LogIndex {
        let r = try nodes[id]!.propose(Array(data.utf8))
        settle(id)
        return r.index
    }

    func logTerms(_ id: NodeID) -> [Term] { terms(nodes[id]!.log.entries) }

    /// Proposes a membership change at `id` and runs its Ready.
    @discardableResult
    func change(_ id: NodeID, _ change: ConfigChange) throws -> LogIndex {
        let r = try nodes[id]!.proposeChange(change)
        settle(id)
        return r.index
    }

    /// Ticks every node that is up and delivers everything, `rounds` times.
    func run(rounds: Int) {
        for _ in 0..<rounds {
            tickAll()
            deliverAll()
        }
    }
}
