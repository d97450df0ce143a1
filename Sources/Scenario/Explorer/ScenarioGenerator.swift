import RaftCore
import Check
import ClusterModel
import Sim

/// Generates a random scenario in the scenario language for one seed, by running it: each line is
/// chosen from the live simulated cluster (deterministic for the seed), run through an `Executor`,
/// and recorded, so the recorded text replays bit for bit under `raftsh run`.
///
/// A scenario is a `cluster` line (size and timings drawn, the known bug if one is set), a
/// background workload, random faults, client operations and waits, then the repair (release what
/// is held, heal, resume, restart all), a wait for a leader and for the workload to finish, and the
/// checks: invariants after every step (the simulator's checker), `expect unanswered == 0`,
/// convergence and `expect linearizable`. Only lines whose preconditions hold are emitted (a
/// `fail leader` needs a leader; `wait until leader` needs a connected quorum up), so a failure is a
/// finding, not a bad script.
public struct ScenarioGenerator: Sendable {
    /// What is drawn from.
    public let settings: GeneratorSettings

    /// A generator drawing from `settings`.
    public init(settings: GeneratorSettings = GeneratorSettings()) {
        self.settings = settings
    }

    /// Generate and run the scenario of `seed`; stops at the first failure.
    public func run(seed: UInt64) -> GeneratedRun {
        let state = Run(settings: settings, seed: seed)
        state.generate()
        let c = state.exec.cluster
        return GeneratedRun(seed: seed, lines: state.lines, failure: state.failure, steps: c?.steps ?? 0,
                            virtualTime: c?.now ?? 0)
    }

    /// The working state of one generation.
    private final class Run {
        let settings: GeneratorSettings
        let seed: UInt64
        var rng: SeededRandom
        let exec = Executor()
        var lines: [String] = []
        var failure: ScenarioFailure?
        var nodes = 5
        /// The shortest election timeout drawn, in nanoseconds.
        var electionMin: UInt64 = 150_000_000
        var keys = 2
        var nextValue = 1
        /// The family of the last random line, to bias what follows it.
        var last = ""

        init(settings: GeneratorSettings, seed: UInt64) {
            self.settings = settings
            self.seed = seed
            rng = SeededRandom(seed: seed, stream: "explore")
        }

        var cluster: SimulatedCluster { exec.cluster as! SimulatedCluster }
        /// Every node not removed (added ones included).
        var ids: [NodeID] { cluster.nodeIDs.filter { !cluster.status(of: $0).removed } }
        func state(_ id: NodeID) -> NodeState { cluster.status(of: id).state }
        var up: [NodeID] { ids.filter { state($0) == .up } }
        var down: [NodeID] { ids.filter { state($0) == .down } }
        var paused: [NodeID] { ids.filter { state($0) == .paused } }
        var notDown: [NodeID] { ids.filter { state($0) != .down } }
        /// Every voter set some node that is not down has in force (they differ while a change
        /// spreads; a paused leader's newest one may still be on its way to the others).
        var voterViews: [[NodeID]] {
            let views = notDown.compactMap { cluster.membership(of: $0)?.voters }
            return views.isEmpty ? [ids] : Array(Set(views)).sorted { $0.lexicographicallyPrecedes($1) }
        }
        /// Membership lines added so far (bounded, so that node ids stay few).
        var membershipLines = 0
        func enabled(_ f: ExploreFault) -> Bool { settings.faults.contains(f) }

        // MARK: Running lines

        /// Run `line` and record it; false once something failed.
        @discardableResult
        func emit(_ line: String) -> Bool {
            guard failure == nil else { return false }
            lines.append(line)
            return execute(line)
        }

        /// Run `line` without recording it (it will be line `lines.count` of the scenario, or the
        /// next one when not recorded yet); false once something failed.
        func execute(_ line: String) -> Bool {
            do {
                let known = exec.cluster.map { $0.nodeIDs.count } ?? nodes
                let script = try Parser.parse(line, file: "<explore>", options: ParserOptions(defaultNodes: known))
                for s in script.statements { try exec.execute(s) }
            } catch var f as ScenarioFailure {
                let number = lines.last == line ? lines.count : lines.count + 1
                f.location = SourceLocation(file: f.location.file, line: number, column: f.location.column)
                failure = f
            } catch {
                failure = ScenarioFailure(location: SourceLocation(file: "<explore>", line: lines.count, column: 1),
                                          message: "generated line does not parse: \(line): \(error)", time: 0, seed: seed)
            }
            return failure == nil
        }

        func generate() {
            let n = settings.nodes[Int(rng.next(upperBound: UInt64(settings.nodes.count)))]
            nodes = n
            let elections: [(UInt64, UInt64)] = [(150, 300), (150, 300), (100, 200), (150, 180), (200, 400)]
            let (e0, e1) = elections[Int(rng.next(upperBound: UInt64(elections.count)))]
            let heartbeat: UInt64 = rng.chance(0.7) ? 50 : 30
            let latencies: [(UInt64, UInt64)] = [(1, 5), (1, 5), (1, 10), (2, 20)]
            let (l0, l1) = latencies[Int(rng.next(upperBound: UInt64(latencies.count)))]
            electionMin = e0 * 1_000_000
            var line = "cluster \(n) seed \(seed) election \(e0)ms..\(e1)ms heartbeat \(heartbeat)ms latency \(l0)ms..\(l1)ms"
            if enabled(.snapshot), rng.chance(0.4) { line += " snapshot-every \(pick([5, 10, 20, 50]))" }
            if enabled(.disk) {
                // From a stream of its own, so that the draws above and below stay what they were.
                var d = SeededRandom(seed: seed, stream: "explore-disk")
                if d.chance(0.4) {
                    let writes: [(UInt64, UInt64)] = [(1, 2), (1, 5), (2, 10), (5, 20)]
                    let (w0, w1) = writes[Int(d.next(upperBound: UInt64(writes.count)))]
                    line += " disk \(w0)ms..\(w1)ms"
                }
            }
            if let bug = settings.bug { line += " bug \(bug.name)" }
            guard emit(line) else { return }

            keys = 1 + Int(rng.next(upperBound: UInt64(4)))
            let clients = 2 + Int(rng.next(upperBound: UInt64(7)))
            let rate = [5, 10, 20, 50][Int(rng.next(upperBound: UInt64(4)))]
            let requests = rate * (5 + Int(rng.next(upperBound: UInt64(11))))
            let ratios = ["0.2", "0.5", "0.5", "0.8"]
            let ratio = ratios[Int(rng.next(upperBound: UInt64(ratios.count)))]
            guard emit("workload start clients \(clients) requests \(requests) ratio \(ratio) keys \(keys) rate \(rate)/s") else { return }
            guard emit("wait until leader within 5s") else { return }
            last = "elected"

            let steps = Int(rng.uniform(UInt64(settings.steps.lowerBound)...UInt64(settings.steps.upperBound)))
            for _ in 0..<steps {
                guard failure == nil else { return }
                randomLine()
                // Let most faults act for a while before the next line.
                if failure == nil, last != "wait", last != "client", rng.chance(0.5) { waitLine() }
            }
            guard failure == nil else { return }
            repair()
        }

        // MARK: The random part

        func randomLine() {
            var choices: [(weight: Double, action: () -> Void)] = []
            func add(_ w: Double, _ a: @escaping () -> Void) { if w > 0 { choices.append((w, a)) } }
            let leader = cluster.leader
            add(5) { self.waitLine() }
            if leaderFeasible {
                add(last == "fail leader" ? 12 : 1.5) {
                    self.emit("wait until leader within 5s")
                    self.last = "elected"
                }
            }
            if last == "elected", leader != nil {
                // A leader just elected: strike it before it settles, now and then.
                add(4) { self.leaderFault() }
            }
            add(2) { self.clientLine() }
            if enabled(.crash) {
                if !notDown.isEmpty { add(leader != nil ? 3 : 1.5) { self.crashLine() } }
                if !down.isEmpty { add(2.5) { self.restartLine() } }
            }
            if enabled(.pause) {
                if up.count > 1 { add(1) { self.pauseLine() } }
                if !paused.isEmpty { add(2) { self.emit("resume \(self.pick(self.paused))"); self.last = "resume" } }
            }
            if enabled(.partition) {
                add(2) { self.partitionLine() }
                if leader != nil { add(1.2) { self.leaderChurn() } }
            }
            if enabled(.block) { add(0.7) { self.blockLine() } }
            if enabled(.loss) { add(0.7) { self.lossLine() } }
            if enabled(.dup) { add(0.5) { self.emit("duplicate \(self.pick([5, 10, 30]))%"); self.last = "dup" } }
            if enabled(.delay) { add(0.5) { self.delayLine() } }
            if enabled(.hold) {
                add(1.2) { self.holdLine() }
                if !cluster.holds.isEmpty || !cluster.heldMessages(on: nil).isEmpty { add(2) { self.releaseLine() } }
            }
            if !cluster.network.summary.hasPrefix("no faults") { add(1.5) { self.emit("heal"); self.last = "heal" } }
            if let l = leader, let r = cluster.sim.node(l).raft, r.role == .leader, r.leadTransferee == noNode {
                if enabled(.member), membershipLines < 4, cluster.pendingMembershipWork == 0,
                   r.mayChangeMembershipInThisTerm, r.latestChangeIndex <= r.log.committed, r.term == cluster.term,
                   leaderHealthy(l, r.membership) {
                    add(last == "elected" ? 3 : 1.2) { self.membershipLine(leader: l, r.membership) }
                }
                let targets = r.membership.voters.filter { $0 != l && self.up.contains($0) }
                if enabled(.transfer), !targets.isEmpty { add(1) { self.transferLine(targets) } }
            }
            if enabled(.snapshot), !up.isEmpty { add(0.8) { self.snapshotLine() } }
            let total = choices.reduce(0) { $0 + $1.weight }
            var x = Double(rng.next() >> 11) * 0x1.0p-53 * total
            for c in choices {
                if x < c.weight { c.action(); return }
                x -= c.weight
            }
            choices.last?.action()
        }

        func pick<T>(_ xs: [T]) -> T { xs[Int(rng.next(upperBound: UInt64(xs.count)))] }

        func waitLine() {
            let ms: UInt64 = pick([10, 20, 50, 100, 150, 200, 300, 500, 500, 1000, 2000])
            emit("wait \(Literals.formatDuration(ms * 1_000_000))")
            last = "wait"
        }

        func clientLine() {
            let key = "k\(rng.next(upperBound: UInt64(keys)))"
            if rng.chance(0.5) {
                emit("put \(key) v\(nextValue)")
                nextValue += 1
            } else if rng.chance(0.7) || notDown.isEmpty {
                emit("get \(key)")
            } else {
                emit("get \(key) via \(pick(notDown)) timeout 1s")
            }
            last = "client"
        }

        func crashLine() {
            let leader = cluster.leader
            // `follower` picks a running node (not down, not paused) other than the leader.
            let followers = up.filter { $0 != leader }
            let r = rng.next(upperBound: UInt64(10))
            if leader != nil, r < 5 {
                emit("fail leader")
                last = "fail leader"
            } else if leader != nil, !followers.isEmpty, r < 8 {
                emit("fail follower")
                last = "fail"
            } else {
                emit("fail \(pick(notDown))")
                last = "fail"
            }
        }

        func restartLine() {
            if down.count > 1, rng.chance(0.3) {
                emit("restart all")
            } else {
                emit("restart \(pick(down))")
            }
            last = "restart"
        }

        /// Leader churn (a Jepsen nemesis): cut the leader off from the rest and wait for the rest to
        /// elect another, two to four times in a row, sometimes letting the cut-off leader take writes
        /// for a while first. Each old leader rejoins the majority at the next cut.
        func leaderChurn() {
            let rounds = 2 + Int(rng.next(upperBound: UInt64(3)))
            for _ in 0..<rounds {
                guard failure == nil, cluster.leader != nil else { return }
                emit("partition leader | rest")
                if rng.chance(0.5) { waitLine() }
                guard failure == nil, leaderFeasible else { break }
                emit("wait until leader within 5s")
                // A moment for the new leader's first round trip, often not for a client's write.
                if rng.chance(0.7) { emit("wait \(pick([10, 20, 20, 50]))ms") }
            }
            last = "elected"
        }

        /// A fault aimed at a leader just elected: crash, cut off or freeze it, or crash one of the
        /// followers that elected it (from the families enabled).
        func leaderFault() {
            var options: [String] = []
            // A follower crashed right after an election may lose its vote if it was not on disk yet.
            if enabled(.crash) { options += ["fail leader", "fail follower"] }
            if enabled(.partition) { options += ["isolate leader", "partition leader | rest"] }
            if enabled(.pause) { options.append("pause leader") }
            guard !options.isEmpty else { waitLine(); return }
            var line = pick(options)
            if line == "fail follower" && !up.contains(where: { $0 != cluster.leader }) { line = "fail leader" }
            emit(line)
            last = line == "fail leader" ? "fail leader" : "leader fault"
        }

        /// One membership change at the leader `l` (whose configuration in force is `m`): add the next
        /// node (a voter once caught up, or a learner), promote a learner, or remove a voter (the
        /// leader itself now and then) while more than three are voters; then a wait for it to
        /// commit. Only a change whose new configuration the leader reaches a quorum of is drawn, and
        /// only at a leader of the highest term among running nodes (a leader paused and resumed
        /// still thinks it leads; its change is lost when it learns the newer term, as it should be).
        func membershipLine(leader l: NodeID, _ m: Membership) {
            membershipLines += 1
            last = "member"
            let next = NodeID(cluster.nodeIDs.count + 1)
            // (line, voters after, learners after)
            var options: [(String, [NodeID], [NodeID])] = []
            if next <= 9 {
                options.append(("add node \(next)", m.voters + [next], m.learners))
                options.append(("add node \(next) as learner", m.voters, m.learners + [next]))
            }
            if let learner = m.learners.first {
                options.append(("promote \(learner)", m.voters + [learner], m.learners.filter { $0 != learner }))
            }
            if m.voters.count > 3 {
                let others = m.voters.filter { $0 != l }
                let x = pick(others)
                options.append(("remove node \(x)", m.voters.filter { $0 != x }, m.learners))
                options.append(("remove node leader", others, m.learners))
            }
            // The new configuration is in force once appended: the leader must reach a quorum of it
            // (a node being added catches up first and does not count yet).
            options = options.filter { o in reachesQuorum(l, of: o.1.filter { $0 != next }, size: o.1.count) }
            guard !options.isEmpty else { waitLine(); return }
            let (line, voters, learners) = pick(options)
            guard emit(line) else { return }
            // Wait for the change to commit (the leader is healthy, so it does), so that no later fault
            // leaves a node started for a change that was lost. A promotion or a removal is sometimes
            // left to the faults that follow (a change half replicated is where the published
            // single-server change bug lives); a lost one is harmless.
            if !line.hasPrefix("add"), rng.chance(0.5) { return }
            if line.hasSuffix("as learner") {
                emit("wait until learners == \(list(learners.sorted())) within 5s")
            } else {
                emit("wait until members == \(list(voters.sorted())) within 5s")
            }
        }

        /// Whether `l` reaches a majority of a configuration of `size` voters through `voters` (running,
        /// connected to it) alone.
        func reachesQuorum(_ l: NodeID, of voters: [NodeID], size: Int) -> Bool {
            let net = cluster.network
            let group = net.groups.isEmpty ? ids : net.groups.first { $0.contains(l) }
                ?? ids.filter { id in !net.groups.contains { $0.contains(id) } }
            let reached = voters.filter { up.contains($0) && group.contains($0) && !net.isolated.contains($0) }
            return reached.count >= size / 2 + 1
        }

        /// Whether the leader `l` (with the configuration `m`) can commit a change now: a leader can be
        /// elected at all (`leaderFeasible`), and `l` itself reaches a quorum of `m`'s voters.
        func leaderHealthy(_ l: NodeID, _ m: Membership) -> Bool {
            guard leaderFeasible, !cluster.network.isolated.contains(l) else { return false }
            return reachesQuorum(l, of: m.voters, size: m.voters.count)
        }

        /// `transfer leader to N` (a running voter), and often a wait for the outcome.
        func transferLine(_ targets: [NodeID]) {
            let target = pick(targets)
            emit("transfer leader to \(target)")
            last = "transfer"
            if rng.chance(0.5) { emit("wait \(pick([10, 50, 100, 300, 500]))ms") }
        }

        /// `snapshot N` (a running node) or `snapshot leader`.
        func snapshotLine() {
            if cluster.leader != nil, rng.chance(0.4) {
                emit("snapshot leader")
            } else {
                emit("snapshot \(pick(up))")
            }
            last = "snapshot"
        }

        func pauseLine() {
            if cluster.leader != nil, rng.chance(0.4) {
                emit("pause leader")
            } else {
                emit("pause \(pick(up))")
            }
            last = "pause"
        }

        func partitionLine() {
            let leader = cluster.leader
            switch rng.next(upperBound: UInt64(6)) {
            case 0 where leader != nil:
                emit("partition leader | rest")
            case 1 where leader != nil && up.contains(where: { $0 != leader }):
                emit("partition leader,follower | rest")
            case 2:
                emit("isolate \(pick(ids))")
            case 3 where leader != nil:
                emit("isolate leader")
            default:
                var shuffled = ids
                for i in stride(from: shuffled.count - 1, to: 0, by: -1) {
                    shuffled.swapAt(i, Int(rng.next(upperBound: UInt64(i + 1))))
                }
                let cut = 1 + Int(rng.next(upperBound: UInt64(shuffled.count - 1)))
                let a = shuffled[..<cut].sorted(), b = shuffled[cut...].sorted()
                emit("partition \(list(a)) | \(list(b))")
            }
            last = "partition"
        }

        func list(_ xs: [NodeID]) -> String { xs.map(String.init).joined(separator: ",") }

        func twoNodes() -> (NodeID, NodeID) {
            let a = pick(ids)
            let b = pick(ids.filter { $0 != a })
            return (a, b)
        }

        func blockLine() {
            let (a, b) = twoNodes()
            emit("block \(a) -> \(b)")
            last = "block"
        }

        func lossLine() {
            if rng.chance(0.3) {
                let (a, b) = twoNodes()
                emit("drop \(pick([30, 50, 80]))% \(a) -> \(b)")
            } else {
                emit("drop \(pick([5, 10, 20, 30]))%")
            }
            last = "loss"
        }

        func delayLine() {
            let ranges = ["5ms..20ms", "10ms..50ms", "10ms..200ms", "0ms..100ms"]
            emit("delay \(pick(ranges))")
            last = "delay"
        }

        func holdLine() {
            let kinds: [String] = ["", "", "append ", "vote ", "prevote ", "heartbeat ", "append-response ", "vote-response "]
            let kind = pick(kinds)
            let (a, b) = twoNodes()
            if let l = cluster.leader, rng.chance(0.5) {
                let other = pick(ids.filter { $0 != l })
                emit(rng.chance(0.5) ? "hold \(kind)\(l) -> \(other)" : "hold \(kind)\(other) -> \(l)")
            } else {
                emit("hold \(kind)\(a) -> \(b)")
            }
            last = "hold"
        }

        func releaseLine() {
            var links = cluster.holds.map(\.link)
            for m in cluster.heldMessages(on: nil) where !links.contains(ClusterModel.Link(m.from, m.to)) {
                links.append(ClusterModel.Link(m.from, m.to))
            }
            let l = pick(links.sorted())
            emit(rng.chance(0.75) ? "release \(l.from) -> \(l.to)" : "drop held \(l.from) -> \(l.to)")
            last = "release"
        }

        /// Whether a leader can be elected now: a quorum of running nodes in one partition group, no
        /// one-way blocks or holds, loss low enough, and delays well below the election timeout.
        var leaderFeasible: Bool {
            let net = cluster.network
            guard net.blocked.isEmpty, cluster.holds.isEmpty else { return false }
            for f in [net.faults] + Array(net.linkFaults.values) {
                if f.loss > 0.1 { return false }
                if let d = f.extraDelay, d.upperBound > electionMin / 4 { return false }
            }
            let running = up.filter { !net.isolated.contains($0) }
            let groups = net.groups.isEmpty ? [ids] : net.groups
            // Whatever configuration wins, a quorum of its voters must be running in one group.
            return voterViews.allSatisfy { voters in
                groups.contains { g in g.filter { running.contains($0) && voters.contains($0) }.count >= voters.count / 2 + 1 }
            }
        }

        // MARK: The repair and the checks

        func repair() {
            if !cluster.holds.isEmpty || !cluster.heldMessages(on: nil).isEmpty { guard emit("release") else { return } }
            if !cluster.network.summary.hasPrefix("no faults") { guard emit("heal") else { return } }
            for id in paused { guard emit("resume \(id)") else { return } }
            if !down.isEmpty { guard emit("restart all") else { return } }
            guard emit("wait until leader within 10s") else { return }
            // A write of the new leader's term, so that nothing waits on the leader's first commit.
            guard emit("put k\(rng.next(upperBound: UInt64(keys))) v\(nextValue)") else { return }
            nextValue += 1
            waitForWorkload()
            guard failure == nil else { return }
            guard emit("workload stop") else { return }
            guard emit("expect unanswered == 0") else { return }
            guard emit("wait until converged within 10s") else { return }
            emit("expect linearizable")
        }

        /// Let time pass in whole seconds until the workload has issued and finished every request
        /// (at most 60s), recorded as `wait` lines: waits of 1s in a row run exactly as one does.
        /// When no request finishes for 3s (every client may be reading from a leader that has
        /// committed nothing of its term yet), a client writes, at most three times.
        func waitForWorkload() {
            var waited = 0, pending = 0, stalled = 0, writes = 0
            var finished = cluster.simWorkload?.results.count ?? 0
            while waited < 60, let w = cluster.simWorkload, !w.isDone {
                waited += 1
                pending += 1
                guard execute("wait 1s") else { break }
                let now = cluster.simWorkload?.results.count ?? 0
                stalled = now == finished ? stalled + 1 : 0
                finished = now
                if stalled >= 3, writes < 3, cluster.leader != nil {
                    lines.append("wait \(pending)s")
                    pending = 0
                    stalled = 0
                    writes += 1
                    guard emit("put k\(rng.next(upperBound: UInt64(keys))) v\(nextValue)") else { return }
                    nextValue += 1
                }
            }
            if pending > 0 { lines.append("wait \(pending)s") }
        }
    }
}
