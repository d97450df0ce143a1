/// Every command of the scenario language (see `CommandTable` for the syntax).
/// Durations are nanoseconds; percentages are 0...100.
public enum StatementKind: Sendable, Hashable {
    // Cluster
    /// `cluster N [seed N] [election D..D] [heartbeat D] [latency D..D] [udp]`
    case cluster(ClusterConfig)

    // Client operations
    /// `put KEY VALUE [via NODE] [timeout D]`
    case put(key: String, value: String, options: ClientOptions)
    /// `get KEY [via NODE] [timeout D]`
    case get(key: String, options: ClientOptions)
    /// `delete KEY [via NODE] [timeout D]`
    case delete(key: String, options: ClientOptions)

    // Faults
    /// `fail NODES`: crash.
    case fail(NodeSelector)
    /// `restart NODES`: recover from what was persisted.
    case restart(NodeSelector)
    /// `pause NODES`: freeze without crashing.
    case pause(NodeSelector)
    /// `resume NODES`
    case resume(NodeSelector)
    /// `partition NODES | NODES [| NODES ...]`: replace the cut (at least two groups).
    case partition([NodeSelector])
    /// `isolate NODES`: cut off from everyone, on top of the current cut.
    case isolate(NodeSelector)
    /// `block NODES -> NODES`: one-way loss.
    case block(Link)
    /// `heal`
    case heal
    /// `drop PERCENT [NODES -> NODES]`
    case drop(percent: Double, link: Link?)
    /// `duplicate PERCENT [NODES -> NODES]`
    case duplicate(percent: Double, link: Link?)
    /// `delay D..D [NODES -> NODES]` (a single `D` is `D..D`)
    case delay(ClosedRange<UInt64>, link: Link?)

    // Time
    /// `wait D`
    case wait(UInt64)
    /// `wait until CONDITION [within D]`
    case waitUntil(Condition, within: UInt64?)

    // Assertions
    /// `expect CONDITION`
    case expect(Condition)

    // Workload
    /// `workload start clients N [requests N] [ratio R] [keys N] [rate N/s]`
    case workloadStart(WorkloadConfig)
    /// `workload stop`
    case workloadStop
    /// `report`
    case report

    // Inspection and control
    /// `status`
    case status
    /// `log NODE`
    case log(NodeSelector)
    /// `trace on|off`
    case trace(Bool)
    /// `history`
    case history
    /// `echo TEXT`
    case echo(String)
    /// `help [TOPIC]` (the topic words joined by one space)
    case help(String?)
    /// `let NAME = leader|term|NODES`
    case letBinding(name: String, value: LetValue)
    /// `repeat N` ... `end`
    case repeatBlock(count: Int, body: [Statement])
    /// `save FILE`
    case save(String)
}
