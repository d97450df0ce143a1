import Testing
@testable import RaftCore

/// RaftConfig.validate(): unusable settings are refused with a message a person can act on.
@Suite struct ConfigTests {
    private static func config(id: NodeID = 1, voters: [NodeID] = [1, 2, 3], learners: [NodeID] = [], min: Int = 15,
                               max: Int = 30, heartbeat: Int = 5, inflight: Int = 64, bytes: Int = 1024) -> RaftConfig {
        var c = RaftConfig(id: id, voters: voters, electionTicksMin: min, electionTicksMax: max, heartbeatTicks: heartbeat,
                           maxInflight: inflight, maxMessageBytes: bytes)
        c.learners = learners
        return c
    }

    @Test(arguments: [
        (config(min: 5, heartbeat: 5), "invalid configuration: election timeout (5 ticks) must be above the heartbeat (5 ticks)"),
        (config(min: 4, max: 30, heartbeat: 5), "invalid configuration: election timeout (4 ticks) must be above the heartbeat (5 ticks)"),
        (config(voters: [], learners: [1]), "invalid configuration: learners [1] without voters: a cluster needs at least one voter"),
        (config(voters: [1, 2], learners: [2]), "invalid configuration: a node cannot be both voter and learner"),
        (config(id: 4, learners: [5]), "invalid configuration: node 4 is not among the voters [1, 2, 3] or learners [5]"),
        (config(min: 31, max: 30), "invalid configuration: election timeout range 31..30 ticks is empty"),
        (config(id: 4), "invalid configuration: node 4 is not among the voters [1, 2, 3]"),
        (config(id: 0, voters: [1, 2]), "invalid configuration: node id must be 1 or more"),
        (config(voters: [1, 2, 2]), "invalid configuration: voter ids must be distinct"),
        (config(voters: [0, 1, 2]), "invalid configuration: node ids must be 1 or more"),
        (config(heartbeat: 0), "invalid configuration: heartbeat must be at least one tick"),
        (config(inflight: 0), "invalid configuration: maxInflight must be at least 1"),
        (config(bytes: 0), "invalid configuration: maxMessageBytes must be at least 1"),
    ])
    func invalidConfigsAreRejected(config: RaftConfig, message: String) {
        let error = #expect(throws: RaftError.self) { try config.validate() }
        #expect(error?.description == message)
        // A node cannot be built from it either.
        #expect(throws: RaftError.self) {
            _ = try RaftNode(config: config, random: SplitMix64(seed: 0))
        }
    }

    @Test func theDefaultsFollowThePaperAndAreValid() throws {
        let c = RaftConfig(id: 2, voters: [1, 2, 3])
        try c.validate()
        // With a 10 ms tick: elections 150-300 ms, heartbeat 50 ms; PreVote and CheckQuorum on.
        #expect(c.electionTicksMin == 15)
        #expect(c.electionTicksMax == 30)
        #expect(c.heartbeatTicks == 5)
        #expect(c.preVote)
        #expect(c.checkQuorum)
        // Edge cases that are fine: a single node, a fixed timeout just above the heartbeat.
        try Self.config(id: 1, voters: [1]).validate()
        try Self.config(min: 6, max: 6, heartbeat: 5).validate()
        // A joining node (no voters: it learns the configuration from the leader) and a learner.
        try Self.config(id: 4, voters: []).validate()
        #expect(Self.config(id: 4, voters: []).isJoining)
        try Self.config(id: 4, learners: [4]).validate()
    }

    @Test func quorumIsAStrictMajority() {
        let sizes = (1...7).map { RaftConfig(id: 1, voters: (1...UInt64($0)).map { $0 }).quorum }
        #expect(sizes == [1, 2, 2, 3, 3, 4, 4])
    }
}
