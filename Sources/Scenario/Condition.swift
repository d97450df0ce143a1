/// A condition checked by `expect CONDITION` and waited for by
/// `wait until CONDITION [within DURATION]`.
public enum Condition: Sendable, Hashable {
    /// `leader [in NODES]`: there is a leader (and it is one of NODES).
    case leader(in: NodeSelector?)
    /// `leader == NODE` / `leader != NODE` (only `.equal` and `.notEqual`).
    case leaderIs(ComparisonOperator, NodeSelector)
    /// `no leader [in NODES]`: no node (of NODES) is leader.
    case noLeader(in: NodeSelector?)
    /// `get KEY [via NODE] [timeout D] == VALUE|none`: a read returns this.
    case get(key: String, options: ClientOptions, equals: ExpectedValue)
    /// `get KEY [via NODE] [timeout D] fails`: a read gets no answer (or an error).
    case getFails(key: String, options: ClientOptions)
    /// `put KEY VALUE [via NODE] [timeout D] fails`: a write is not acknowledged.
    case putFails(key: String, value: String, options: ClientOptions)
    /// `role NODES ==|!= ROLE` (only `.equal` and `.notEqual`).
    case role(NodeSelector, ComparisonOperator, NodeRole)
    /// `term OP N|$VAR`: the highest term among up nodes compared with N.
    case term(ComparisonOperator, IntOperand)
    /// `converged`: every up node has the same log and applied state.
    case converged
    /// `applied KEY == VALUE|none on NODES`: each of NODES has applied this.
    case applied(key: String, equals: ExpectedValue, on: NodeSelector)
    /// `linearizable`: the client history so far is linearizable.
    case linearizable
    /// `invariants`: the Raft safety invariants hold.
    case invariants
    /// `unanswered OP N`: the number of client requests never answered.
    case unanswered(ComparisonOperator, Int)
    /// `metric NAME OP VALUE`: a workload figure.
    case metric(name: String, ComparisonOperator, MetricValue)
}
