import KV
import RaftCore

// The payload of each frame type. Integers are little-endian; `string` is a u32 byte count and
// UTF-8; `bytes` is a u32 byte count and raw bytes; `bool` is one byte 0 or 1; `tag` is one byte.
//
// raft (1), a `Message`:
//   kind u8 (Message.Kind raw value) | from u64 | to u64 | term u64 | logTerm u64 | index u64 |
//   commit u64 | reject bool | rejectHint u64 | context u64 | entries | snapshot present bool [, chunk]
// entries: count u32, then per entry: term u64 | index u64 | kind u8 (EntryKind raw value) | data bytes
// chunk (a `SnapshotChunk`): index u64 | term u64 | voters: peers | learners: peers | offset u64 |
//   done bool | data bytes  (voters and learners each strictly ascending)
//
// clientRequest (2): client u64 | seq u64 | session u64 | op tag (0 put, 1 get, 2 delete, 3 cas,
//   4 append, 5 admin) | key string | value string (put, append), or expected and new value strings
//   (cas); admin: admin tag (0 add learner, 1 add voter, 2 remove, 3 transfer leadership) | node u64
//
// clientReply (3): client u64 | seq u64 | index u64 | outcome tag, then
//   0 done:      result tag 0 ok | 1 value absent | 2 value present, then value string |
//                3 cas failed on an absent key | 4 cas failed, then current value string
//   1 notLeader: leader u64
//   2 failed:    reason string
//   3 sessionExpired: session u64
//
// control (4): id u64 | cluster key bytes | request tag, then
//   0 status | 1 cut: peers | 2 blockOutgoing: peers | 3 setFaults: peer u64, lossPPM u32,
//   duplicatePPM u32, delayMinNanos u64, delayMaxNanos u64 | 4 heal | 5 localGet: key string |
//   6 logTail: count u32 | 7 snapshot | 8 setPeer: node u64, address string (HOST:PORT)
//   peers: count u32, then one u64 per node id
//
// controlReply (5): id u64 | reply tag, then
//   0 ok | 1 status: report | 2 localValue: present bool [, value string] | 3 log: entries |
//   4 error: reason string | 5 snapshotTaken: index u64
//   report: id u64 | role u8 (0 follower, 1 precandidate, 2 candidate, 3 leader) | term u64 |
//   leader u64 | commit u64 | applied u64 | lastIndex u64 | lastTerm u64 | digest u64 |
//   droppedMalformed u64 | droppedUnknown u64 | vote u64 | firstIndex u64 | commitTerm u64 |
//   commitHash u64 | lastHash u64 | incarnation u64 | raftSent u64 | raftReceived u64 |
//   droppedByFaults u64 | voters: peers | learners: peers | latestChangeIndex u64 | transferee u64 |
//   logSyncs u64
//   (version 2 added everything from vote on; version 4 the membership fields; version 5 logSyncs)

/// The smallest encoded entry: term, index, kind and an empty data length.
private let minEntryBytes = 8 + 8 + 1 + 4

private enum OpTag: UInt8 { case put = 0, get = 1, delete = 2, cas = 3, append = 4, admin = 5 }
private enum AdminTag: UInt8 { case addLearner = 0, addVoter = 1, remove = 2, transfer = 3 }
private enum OutcomeTag: UInt8 { case done = 0, notLeader = 1, failed = 2, sessionExpired = 3 }
private enum ResultTag: UInt8 { case ok = 0, absent = 1, present = 2, casFailedAbsent = 3, casFailedPresent = 4, casMismatch = 5 }
private enum ControlTag: UInt8 {
    case status = 0, cut = 1, blockOutgoing = 2, setFaults = 3, heal = 4, localGet = 5, logTail = 6, snapshot = 7,
         setPeer = 8
}
private enum ControlReplyTag: UInt8 { case ok = 0, status = 1, localValue = 2, log = 3, error = 4, snapshotTaken = 5 }

/// The wire number of each role (`Role`'s own raw values are its display names).
private enum RoleTag: UInt8 {
    case follower = 0, preCandidate = 1, candidate = 2, leader = 3

    init(_ role: Role) {
        switch role {
        case .follower: self = .follower
        case .preCandidate: self = .preCandidate
        case .candidate: self = .candidate
        case .leader: self = .leader
        }
    }

    var role: Role {
        switch self {
        case .follower: return .follower
        case .preCandidate: return .preCandidate
        case .candidate: return .candidate
        case .leader: return .leader
        }
    }
}

extension WireReader {
    /// A tag byte that must be a case of `T`.
    fileprivate mutating func tag<T: RawRepresentable<UInt8>>(_: T.Type, _ what: String) throws(WireError) -> T {
        let raw = try u8(what)
        guard let value = T(rawValue: raw) else { throw .malformed("unknown \(what) \(raw)") }
        return value
    }
}

// MARK: - Raft messages

extension WireWriter {
    mutating func message(_ m: Message) {
        u8(m.kind.rawValue)
        u64(m.from)
        u64(m.to)
        u64(m.term)
        u64(m.logTerm)
        u64(m.index)
        u64(m.commit)
        bool(m.reject)
        u64(m.rejectHint)
        u64(m.context)
        entries(m.entries)
        bool(m.snapshot != nil)
        if let c = m.snapshot {
            u64(c.metadata.index)
            u64(c.metadata.term)
            peers(c.metadata.membership.voters)
            peers(c.metadata.membership.learners)
            u64(c.metadata.logHash)
            u64(c.offset)
            bool(c.done)
            byteString(c.data)
        }
    }

    mutating func entries(_ entries: [Entry]) {
        count(entries.count)
        for e in entries {
            u64(e.term)
            u64(e.index)
            u8(e.kind.rawValue)
            byteString(e.data)
        }
    }
}

extension WireReader {
    mutating func message() throws(WireError) -> Message {
        let kind = try tag(Message.Kind.self, "message kind")
        let from = try u64("from")
        let to = try u64("to")
        let term = try u64("term")
        let logTerm = try u64("logTerm")
        let index = try u64("index")
        let commit = try u64("commit")
        let reject = try bool("reject")
        let rejectHint = try u64("rejectHint")
        let context = try u64("context")
        let entries = try entries()
        var snapshot: SnapshotChunk?
        if try bool("snapshot present") {
            let index = try u64("snapshot index")
            let term = try u64("snapshot term")
            let voters = try ascendingPeers("voters")
            let learners = try ascendingPeers("learners")
            let logHash = try u64("snapshot log hash")
            let offset = try u64("snapshot offset")
            let done = try bool("snapshot done")
            let data = try byteString("snapshot data")
            snapshot = SnapshotChunk(metadata: SnapshotMetadata(index: index, term: term,
                                                                membership: Membership(voters: voters, learners: learners),
                                                                logHash: logHash),
                                     offset: offset, data: data, done: done)
        }
        return Message(kind: kind, from: from, to: to, term: term, logTerm: logTerm, index: index,
                       commit: commit, entries: entries, reject: reject, rejectHint: rejectHint,
                       context: context, snapshot: snapshot)
    }

    /// Node ids in strictly ascending order (as `Membership` keeps them, so that the encoding stays canonical).
    private mutating func ascendingPeers(_ what: String) throws(WireError) -> [NodeID] {
        let ids = try peers()
        for (a, b) in zip(ids, ids.dropFirst()) where a >= b {
            throw .malformed("\(what) not in ascending order (\(b) after \(a))")
        }
        return ids
    }

    mutating func entries() throws(WireError) -> [Entry] {
        let n = try count("entries", minItemBytes: minEntryBytes)
        var entries: [Entry] = []
        entries.reserveCapacity(n)
        for _ in 0..<n {
            let term = try u64("entry term")
            let index = try u64("entry index")
            let kind = try tag(EntryKind.self, "entry kind")
            let data = try byteString("entry data")
            entries.append(Entry(term: term, index: index, kind: kind, data: data))
        }
        return entries
    }
}

// MARK: - Client traffic

extension WireWriter {
    mutating func clientRequest(_ r: ClientRequest) {
        u64(r.client)
        u64(r.seq)
        u64(r.session)
        if let admin = r.admin {
            u8(OpTag.admin.rawValue)
            switch admin {
            case .change(.addLearner(let n)): u8(AdminTag.addLearner.rawValue); u64(n)
            case .change(.addVoter(let n)): u8(AdminTag.addVoter.rawValue); u64(n)
            case .change(.remove(let n)): u8(AdminTag.remove.rawValue); u64(n)
            case .transfer(let n): u8(AdminTag.transfer.rawValue); u64(n)
            }
            return
        }
        switch r.op {
        case .put(let key, let value):
            u8(OpTag.put.rawValue)
            string(key)
            string(value)
        case .get(let key):
            u8(OpTag.get.rawValue)
            string(key)
        case .delete(let key):
            u8(OpTag.delete.rawValue)
            string(key)
        case .cas(let key, let from, let to):
            u8(OpTag.cas.rawValue)
            string(key)
            string(from)
            string(to)
        case .append(let key, let value):
            u8(OpTag.append.rawValue)
            string(key)
            string(value)
        }
    }

    mutating func clientReply(_ r: ClientReply) {
        u64(r.client)
        u64(r.seq)
        u64(r.index)
        switch r.outcome {
        case .done(.ok):
            u8(OutcomeTag.done.rawValue)
            u8(ResultTag.ok.rawValue)
        case .done(.value(nil)):
            u8(OutcomeTag.done.rawValue)
            u8(ResultTag.absent.rawValue)
        case .done(.value(let value?)):
            u8(OutcomeTag.done.rawValue)
            u8(ResultTag.present.rawValue)
            string(value)
        case .done(.casFailed(nil)):
            u8(OutcomeTag.done.rawValue)
            u8(ResultTag.casFailedAbsent.rawValue)
        case .done(.casFailed(let value?)):
            u8(OutcomeTag.done.rawValue)
            u8(ResultTag.casFailedPresent.rawValue)
            string(value)
        case .done(.casMismatch):
            u8(OutcomeTag.done.rawValue)
            u8(ResultTag.casMismatch.rawValue)
        case .notLeader(let leader):
            u8(OutcomeTag.notLeader.rawValue)
            u64(leader)
        case .failed(let reason):
            u8(OutcomeTag.failed.rawValue)
            string(reason)
        case .sessionExpired(let session):
            u8(OutcomeTag.sessionExpired.rawValue)
            u64(session)
        }
    }
}

extension WireReader {
    mutating func clientRequest() throws(WireError) -> ClientRequest {
        let client = try u64("client")
        let seq = try u64("seq")
        let session = try u64("session")
        let op: KVOperation
        switch try tag(OpTag.self, "operation tag") {
        case .put:
            let key = try string("key")
            op = .put(key: key, value: try string("value"))
        case .get:
            op = .get(key: try string("key"))
        case .delete:
            op = .delete(key: try string("key"))
        case .cas:
            let key = try string("key")
            let from = try string("expected value")
            op = .cas(key: key, from: from, to: try string("new value"))
        case .append:
            let key = try string("key")
            op = .append(key: key, value: try string("value"))
        case .admin:
            let t = try tag(AdminTag.self, "admin tag")
            let n = try u64("node id")
            let admin: AdminOperation
            switch t {
            case .addLearner: admin = .change(.addLearner(n))
            case .addVoter: admin = .change(.addVoter(n))
            case .remove: admin = .change(.remove(n))
            case .transfer: admin = .transfer(to: n)
            }
            var request = ClientRequest(client: client, seq: seq, admin: admin)
            request.session = session  // written for admin requests too: keep it, so the codec stays canonical
            return request
        }
        return ClientRequest(client: client, seq: seq, session: session, op: op)
    }

    mutating func clientReply() throws(WireError) -> ClientReply {
        let client = try u64("client")
        let seq = try u64("seq")
        let index = try u64("index")
        let outcome: ReplyOutcome
        switch try tag(OutcomeTag.self, "outcome tag") {
        case .done:
            switch try tag(ResultTag.self, "result tag") {
            case .ok: outcome = .done(.ok)
            case .absent: outcome = .done(.value(nil))
            case .present: outcome = .done(.value(try string("value")))
            case .casFailedAbsent: outcome = .done(.casFailed(current: nil))
            case .casFailedPresent: outcome = .done(.casFailed(current: try string("current value")))
            case .casMismatch: outcome = .done(.casMismatch)
            }
        case .notLeader:
            outcome = .notLeader(leader: try u64("leader"))
        case .failed:
            outcome = .failed(try string("failure reason"))
        case .sessionExpired:
            outcome = .sessionExpired(session: try u64("session"))
        }
        return ClientReply(client: client, seq: seq, outcome: outcome, index: index)
    }
}

// MARK: - Control traffic

extension WireWriter {
    mutating func peers(_ peers: [NodeID]) {
        count(peers.count)
        for p in peers { u64(p) }
    }

    mutating func controlRequest(_ r: ControlRequest) {
        switch r {
        case .status:
            u8(ControlTag.status.rawValue)
        case .cut(let peers):
            u8(ControlTag.cut.rawValue)
            self.peers(peers)
        case .blockOutgoing(let peers):
            u8(ControlTag.blockOutgoing.rawValue)
            self.peers(peers)
        case .setFaults(let peer, let lossPPM, let duplicatePPM, let delayMinNanos, let delayMaxNanos):
            u8(ControlTag.setFaults.rawValue)
            u64(peer)
            u32(lossPPM)
            u32(duplicatePPM)
            u64(delayMinNanos)
            u64(delayMaxNanos)
        case .heal:
            u8(ControlTag.heal.rawValue)
        case .localGet(let key):
            u8(ControlTag.localGet.rawValue)
            string(key)
        case .snapshot:
            u8(ControlTag.snapshot.rawValue)
        case .setPeer(let node, let address):
            u8(ControlTag.setPeer.rawValue)
            u64(node)
            string(address)
        case .logTail(let count):
            u8(ControlTag.logTail.rawValue)
            u32(count)
        }
    }

    mutating func controlReply(_ r: ControlReply) {
        switch r {
        case .ok:
            u8(ControlReplyTag.ok.rawValue)
        case .status(let report):
            u8(ControlReplyTag.status.rawValue)
            nodeReport(report)
        case .localValue(let value):
            u8(ControlReplyTag.localValue.rawValue)
            bool(value != nil)
            if let value { string(value) }
        case .log(let entries):
            u8(ControlReplyTag.log.rawValue)
            self.entries(entries)
        case .error(let reason):
            u8(ControlReplyTag.error.rawValue)
            string(reason)
        case .snapshotTaken(let index):
            u8(ControlReplyTag.snapshotTaken.rawValue)
            u64(index)
        }
    }

    mutating func nodeReport(_ r: NodeReport) {
        u64(r.id)
        u8(RoleTag(r.role).rawValue)
        u64(r.term)
        u64(r.leader)
        u64(r.commit)
        u64(r.applied)
        u64(r.lastIndex)
        u64(r.lastTerm)
        u64(r.digest)
        u64(r.droppedMalformed)
        u64(r.droppedUnknown)
        u64(r.vote)
        u64(r.firstIndex)
        u64(r.commitTerm)
        u64(r.commitHash)
        u64(r.lastHash)
        u64(r.incarnation)
        u64(r.raftSent)
        u64(r.raftReceived)
        u64(r.droppedByFaults)
        u64(r.snapshotsTaken)
        u64(r.snapshotsSent)
        u64(r.snapshotsInstalled)
        peers(r.membership.voters)
        peers(r.membership.learners)
        u64(r.latestChangeIndex)
        u64(r.transferee)
        u64(r.logSyncs)
    }
}

extension WireReader {
    mutating func peers() throws(WireError) -> [NodeID] {
        let n = try count("peers", minItemBytes: 8)
        var peers: [NodeID] = []
        peers.reserveCapacity(n)
        for _ in 0..<n { peers.append(try u64("peer")) }
        return peers
    }

    mutating func controlRequest() throws(WireError) -> ControlRequest {
        switch try tag(ControlTag.self, "control tag") {
        case .status:
            return .status
        case .cut:
            return .cut(peers: try peers())
        case .blockOutgoing:
            return .blockOutgoing(to: try peers())
        case .setFaults:
            let peer = try u64("fault peer")
            let loss = try u32("lossPPM")
            let duplicate = try u32("duplicatePPM")
            let delayMin = try u64("delayMinNanos")
            let delayMax = try u64("delayMaxNanos")
            return .setFaults(peer: peer, lossPPM: loss, duplicatePPM: duplicate,
                              delayMinNanos: delayMin, delayMaxNanos: delayMax)
        case .heal:
            return .heal
        case .localGet:
            return .localGet(key: try string("key"))
        case .logTail:
            return .logTail(count: try u32("log tail count"))
        case .snapshot:
            return .snapshot
        case .setPeer:
            let node = try u64("node id")
            return .setPeer(node: node, address: try string("address"))
        }
    }

    mutating func controlReply() throws(WireError) -> ControlReply {
        switch try tag(ControlReplyTag.self, "control reply tag") {
        case .ok:
            return .ok
        case .status:
            return .status(try nodeReport())
        case .localValue:
            return .localValue(try bool("value present") ? try string("value") : nil)
        case .log:
            return .log(try entries())
        case .error:
            return .error(try string("error text"))
        case .snapshotTaken:
            return .snapshotTaken(index: try u64("snapshot index"))
        }
    }

    mutating func nodeReport() throws(WireError) -> NodeReport {
        let id = try u64("node id")
        let role = try tag(RoleTag.self, "role").role
        let term = try u64("term")
        let leader = try u64("leader")
        let commit = try u64("commit")
        let applied = try u64("applied")
        let lastIndex = try u64("lastIndex")
        let lastTerm = try u64("lastTerm")
        let digest = try u64("digest")
        let droppedMalformed = try u64("droppedMalformed")
        let droppedUnknown = try u64("droppedUnknown")
        let vote = try u64("vote")
        let firstIndex = try u64("firstIndex")
        let commitTerm = try u64("commitTerm")
        let commitHash = try u64("commitHash")
        let lastHash = try u64("lastHash")
        let incarnation = try u64("incarnation")
        let raftSent = try u64("raftSent")
        let raftReceived = try u64("raftReceived")
        let droppedByFaults = try u64("droppedByFaults")
        let snapshotsTaken = try u64("snapshotsTaken")
        let snapshotsSent = try u64("snapshotsSent")
        let snapshotsInstalled = try u64("snapshotsInstalled")
        let voters = try peers()
        let learners = try peers()
        let latestChangeIndex = try u64("latestChangeIndex")
        let transferee = try u64("transferee")
        let logSyncs = try u64("logSyncs")
        var r = NodeReport(id: id, role: role, term: term, leader: leader, commit: commit, applied: applied,
                          lastIndex: lastIndex, lastTerm: lastTerm, digest: digest,
                          droppedMalformed: droppedMalformed, droppedUnknown: droppedUnknown,
                          vote: vote, firstIndex: firstIndex, commitTerm: commitTerm, commitHash: commitHash,
                          lastHash: lastHash, incarnation: incarnation, raftSent: raftSent,
                          raftReceived: raftReceived, droppedByFaults: droppedByFaults,
                          snapshotsTaken: snapshotsTaken, snapshotsSent: snapshotsSent,
                          snapshotsInstalled: snapshotsInstalled)
        r.membership = Membership(voters: voters, learners: learners)
        r.latestChangeIndex = latestChangeIndex
        r.transferee = transferee
        r.logSyncs = logSyncs
        return r
    }
}
