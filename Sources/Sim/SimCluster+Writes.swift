import RaftCore
import KV
import ClusterModel

/// Background storage writes (`SimConfig.diskLatency`): each node's writer, modelled the way
/// `raftd`'s `LogWriter` works, and the driver's rule of `WritePipeline`, the same as `raftd`'s.
extension SimCluster {
    /// `drain` with a background writer: a leader sends at once and hands its storage work over;
    /// any other node stores and syncs at once and then sends, unless a write of its own is still
    /// with the writer (then it queues behind it, and its messages wait).
    func drainWithWriter(_ n: SimNode, _ server: KVServer) {
        while let rd = server.ready() {
            let leading = server.raft.role == .leader
            if leading { for m in rd.messages { send(m) } }
            if StorageWrite.needed(by: rd) {
                if n.writes.handsOver(leading: leading) {
                    n.writeQueue.append(StorageWrite(rd))
                    n.writes.handOver(rd)
                    startWrite(n)
                } else {
                    n.disk.write(StorageWrite(rd))
                    server.raft.persisted(rd)
                }
            }
            if !leading {
                for m in rd.messages {
                    if let now = n.writes.hold(m) { send(now) }
                }
            }
            let out = server.advance(rd)
            readyDone(n, server, rd, out)
            for r in out.replies { sendReply(r, from: n.id) }
        }
    }

    /// Starts the writer's next batch, if it is idle and has work: everything handed over so far,
    /// done after a time drawn from `SimConfig.diskLatency`.
    private func startWrite(_ n: SimNode) {
        guard !n.writing, !n.writeQueue.isEmpty, let range = config.diskLatency else { return }
        n.writing = true
        let batch = n.writeQueue
        n.writeQueue.removeAll()
        let through = n.writes.handedOver
        let incarnation = n.incarnation
        let took = n.diskRNG.uniform(range.lowerBound ... range.upperBound)
        schedule(after: took) { [unowned self] in
            self.finishWrite(n, incarnation: incarnation, batch: batch, through: through)
        }
    }

    /// The batch is on disk: the core hears of it, held messages go, and the node takes the work
    /// that follows. A paused process notices when it resumes (checked every tick).
    private func finishWrite(_ n: SimNode, incarnation: Int, batch: [StorageWrite], through: UInt64) {
        guard n.incarnation == incarnation, n.state != .down, n.writing, let server = n.server else { return }
        if n.state == .paused {
            schedule(after: config.tick) { [unowned self] in
                self.finishWrite(n, incarnation: incarnation, batch: batch, through: through)
            }
            return
        }
        for w in batch { n.disk.write(w) }
        n.writing = false
        mix(0xD15C, n.id, through, UInt64(batch.count))
        if traceSink != nil { trace("node \(n.id) stored \(batch.count) write\(batch.count == 1 ? "" : "s") (through #\(through))") }
        for m in n.writes.written(through: through, raft: server.raft) { send(m) }
        startWrite(n)
        drain(n)
    }
}
