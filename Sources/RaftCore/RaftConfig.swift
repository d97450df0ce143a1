/// The settings of one Raft node. Time is in logical ticks; the driver decides how long a tick is.
public struct RaftConfig: Sendable, Hashable {
    /// This node.
    public var id: NodeID
    /// The voting members the cluster starts with (this node among them, or among `learners`), used
    /// until the log or a snapshot says otherwise. Empty for a node joining a running cluster: it has
    /// no configuration, never campaigns, and learns the configuration from the leader's log or snapshot.
    public var voters: [NodeID]
    /// The non-voting members the cluster starts with.
    public var learners: [NodeID] = []
    /// Election timeouts are drawn uniformly from this many ticks (inclusive), per §5.2.
    public var electionTicksMin: Int
    public var electionTicksMax: Int
    /// A leader sends heartbeats every this many ticks.
    public var heartbeatTicks: Int
    /// Run a pre-vote round before incrementing the term (thesis §9.6).
    public var preVote: Bool
    /// A leader steps down when it has not heard from a quorum within an election timeout;
    /// a node that heard from a leader recently ignores vote requests (thesis §6.2, §4.2.3).
    public var checkQuorum: Bool
    /// At most this many unacknowledged append messages per follower in replicate state.
    public var maxInflight: Int
    /// At most this many bytes of entries per append message (at least one entry is always sent).
    public var maxMessageBytes: Int
    /// The driver stores each Ready's entries in the background and reports when they are durable
    /// (`RaftNode.persisted(through:term:)`) instead of before `advance` (etcd's asynchronous storage
    /// writes). `advance` then only means "handed to storage": the leader counts its own entries
    /// toward a commit once they are reported durable. A majority of followers may commit an entry
    /// before the leader's own write is done, and it applies then (thesis §10.2.1: still safe, the
    /// entry is durable on a majority). The driver holds back the messages of a node that is not
    /// leading until every write handed out before them is durable (see `KV.WritePipeline`).
    public var asyncStorageWrites = false
    /// One classic Raft mistake switched on, for the simulator's known-bug switches; nil (always, in
    /// `raftd`) for correct Raft.
    public var bug: KnownBug?

    public init(id: NodeID, voters: [NodeID], electionTicksMin: Int = 15, electionTicksMax: Int = 30,
                heartbeatTicks: Int = 5, preVote: Bool = true, checkQuorum: Bool = true,
                maxInflight: Int = 64, maxMessageBytes: Int = 64 * 1024, bug: KnownBug? = nil) {
        self.id = id
        self.voters = voters
        self.electionTicksMin = electionTicksMin
        self.electionTicksMax = electionTicksMax
        self.heartbeatTicks = heartbeatTicks
        self.preVote = preVote
        self.checkQuorum = checkQuorum
        self.maxInflight = maxInflight
        self.maxMessageBytes = maxMessageBytes
        self.bug = bug
    }

    /// Throws `RaftError.invalidConfig` with a message a person can act on.
    public func validate() throws(RaftError) {
        if id == noNode { throw .invalidConfig("node id must be 1 or more") }
        if voters.isEmpty && !learners.isEmpty {
            throw .invalidConfig("learners \(learners) without voters: a cluster needs at least one voter")
        }
        if Set(voters).count != voters.count { throw .invalidConfig("voter ids must be distinct") }
        if Set(learners).count != learners.count { throw .invalidConfig("learner ids must be distinct") }
        if voters.contains(where: learners.contains) { throw .invalidConfig("a node cannot be both voter and learner") }
        if voters.contains(noNode) || learners.contains(noNode) { throw .invalidConfig("node ids must be 1 or more") }
        if !voters.isEmpty && !voters.contains(id) && !learners.contains(id) {
            throw .invalidConfig("node \(id) is not among the voters \(voters)" + (learners.isEmpty ? "" : " or learners \(learners)"))
        }
        if heartbeatTicks < 1 { throw .invalidConfig("heartbeat must be at least one tick") }
        if electionTicksMin > electionTicksMax {
            throw .invalidConfig("election timeout range \(electionTicksMin)..\(electionTicksMax) ticks is empty")
        }
        if electionTicksMin <= heartbeatTicks {
            throw .invalidConfig("election timeout (\(electionTicksMin) ticks) must be above the heartbeat (\(heartbeatTicks) ticks)")
        }
        if maxInflight < 1 { throw .invalidConfig("maxInflight must be at least 1") }
        if maxMessageBytes < 1 { throw .invalidConfig("maxMessageBytes must be at least 1") }
    }

    /// Whether the node joins a running cluster (no starting configuration).
    public var isJoining: Bool { voters.isEmpty }

    /// The membership the node starts with (empty when joining).
    public var initialMembership: Membership { Membership(voters: voters, learners: learners) }

    /// The number of votes that make a majority of `voters`.
    public var quorum: Int { voters.count / 2 + 1 }
}
