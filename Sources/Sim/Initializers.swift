import RaftCore
import KV
import Check

// Public initializers for the value types other `Cluster` implementations (the UDP cluster in
// the Node module) must build. (Unnamed first argument: the synthesized memberwise initializers
// are internal and may not be redeclared.)

extension NodeStatus {
    public init(_ id: NodeID, state: SimNode.State, role: Role?, term: Term, leader: NodeID, commit: LogIndex,
                applied: LogIndex, lastIndex: LogIndex, group: Int?) {
        self.id = id
        self.state = state
        self.role = role
        self.term = term
        self.leader = leader
        self.commit = commit
        self.applied = applied
        self.lastIndex = lastIndex
        self.group = group
    }
}

extension OperationResult {
    public init(_ client: ClientID, op: KVOperation, outcome: OperationOutcome, invoked: SimTime, completed: SimTime,
                index: LogIndex, node: NodeID, attempts: Int, redirects: Int, failure: String?) {
        self.client = client
        self.op = op
        self.outcome = outcome
        self.invoked = invoked
        self.completed = completed
        self.index = index
        self.node = node
        self.attempts = attempts
        self.redirects = redirects
        self.failure = failure
    }
}

extension LeaderSpan {
    public init(_ node: NodeID, term: Term, from: SimTime, to: SimTime?) {
        self.node = node
        self.term = term
        self.from = from
        self.to = to
    }
}
