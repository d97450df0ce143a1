import Foundation
import Testing
import NodeTestSupport
import Harness
import RaftCore
import KV
import Wire
import Node

/// In-process 3-node clusters of `RaftDaemon`s on 127.0.0.1, driven through `UDPClient`.
/// Serialized: each test runs three event loops and a client on a small machine.
@Suite("RaftDaemon clusters over loopback UDP", .serialized)
struct DaemonClusterTests {
    @Test func putThenGetThenLeaderFailover() throws {
        let cluster = try LocalCluster()
        defer { cluster.shutdown() }
        try cluster.startAll()
        let client = try cluster.client()
        let leader = try #require(waitForLeader(client, among: cluster.ids), "no leader within 5s")

        let put = client.perform(.put(key: "x", value: "1"), timeout: .seconds(5))
        #expect(put.outcome == .ok(.ok), "put: \(String(describing: put.outcome))")
        #expect(put.index > 0)
        let get = client.perform(.get(key: "x"), timeout: .seconds(5))
        #expect(get.outcome == .ok(.value("1")), "get: \(String(describing: get.outcome))")

        // A follower answers notLeader when asked directly.
        let follower = cluster.ids.first { $0 != leader }!
        let direct = client.perform(.get(key: "x"), timeout: .seconds(2), via: follower)
        guard case .failed(.notLeader) = direct.outcome else {
            Issue.record("via a follower: \(String(describing: direct.outcome))")
            return
        }

        cluster.stop(leader)
        let rest = cluster.ids.filter { $0 != leader }
        let newLeader = try #require(waitForLeader(client, among: rest, within: .seconds(5)), "no new leader")
        #expect(newLeader != leader)
        let put2 = client.perform(.put(key: "y", value: "2"), timeout: .seconds(5))
        #expect(put2.outcome == .ok(.ok), "put after failover: \(String(describing: put2.outcome))")
        #expect(put2.node != leader)
        let get2 = client.perform(.get(key: "x"), timeout: .seconds(5))
        #expect(get2.outcome == .ok(.value("1")), "get after failover: \(String(describing: get2.outcome))")
        #expect(get2.node == newLeader)
    }

    @Test("status reports count each node's storage syncs: every node syncs for the puts it stores")
    func statusReportsCountStorageSyncs() throws {
        let cluster = try LocalCluster()
        defer { cluster.shutdown() }
        try cluster.startAll()
        let client = try cluster.client()
        _ = try #require(waitForLeader(client, among: cluster.ids), "no leader within 5s")
        var before: [NodeID: UInt64] = [:]
        for id in cluster.ids { before[id] = try #require(status(client, id)).logSyncs }
        for i in 0..<5 {
            let put = client.perform(.put(key: "k\(i)", value: "\(i)"), timeout: .seconds(5))
            #expect(put.outcome == .ok(.ok), "put \(i): \(String(describing: put.outcome))")
        }
        // Each node stores the five entries (the leader before it counts them, the followers before
        // they acknowledge), so each syncs at least once; and the report says what its storage counted.
        let counted = eventually(within: .seconds(3)) {
            cluster.ids.allSatisfy { id in
                guard let r = status(client, id) else { return false }
                return r.logSyncs > before[id]! && r.logSyncs == UInt64(cluster.daemons[id]!.fsyncCount())
            }
        }
        let now = cluster.ids.map { id in "\(id): \(before[id]!) -> \(status(client, id)?.logSyncs ?? 0)" }
        #expect(counted, "log syncs \(now)")
    }

    @Test func malformedAndStrangerDatagramsAreDroppedAndCounted() throws {
        let cluster = try LocalCluster()
        defer { cluster.shutdown() }
        try cluster.startAll()
        let client = try cluster.client()
        _ = try #require(waitForLeader(client, among: cluster.ids), "no leader within 5s")
        let before = try #require(status(client, 1))

        // Random garbage, and a valid frame cut short.
        var rng = SystemRandomNumberGenerator()
        client.sendRaw((0..<200).map { _ in UInt8.random(in: 0...255, using: &rng) }, to: 1)
        let valid = WireCodec.encode(.clientRequest(ClientRequest(client: 9, seq: 1, op: .get(key: "k"))))
        client.sendRaw(Array(valid.dropLast(3)), to: 1)
        // A well-formed Raft message from a non-member address (the client's socket), claiming to be node 2.
        let forged = Message(kind: .vote, from: 2, to: 1, term: before.term + 100, logTerm: 99, index: 999)
        client.sendRaw(WireCodec.encode(.raft(forged)), to: 1)

        let counted = eventually(within: .seconds(2)) {
            guard let r = status(client, 1) else { return false }
            return r.droppedMalformed >= before.droppedMalformed + 2 && r.droppedUnknown >= before.droppedUnknown + 1
        }
        let after = try #require(status(client, 1))
        #expect(counted, "malformed \(before.droppedMalformed)->\(after.droppedMalformed), unknown \(before.droppedUnknown)->\(after.droppedUnknown)")
        // The forged vote did not reach the core: the term did not jump.
        #expect(after.term < before.term + 100)

        // A control request with the wrong key gets no answer and is counted.
        let stranger = try cluster.client(key: "wrong-key")
        #expect(stranger.control(.status, to: 1, timeout: .milliseconds(400)) == nil)
        #expect(stranger.control(.heal, to: 1, timeout: .milliseconds(400)) == nil)
        let afterKey = try #require(status(client, 1))
        #expect(afterKey.droppedUnknown >= after.droppedUnknown + 2)

        // The node still works.
        let put = client.perform(.put(key: "still", value: "ok"), timeout: .seconds(5))
        #expect(put.outcome == .ok(.ok))
    }

    @Test func largeValueReplicates() throws {
        let cluster = try LocalCluster()
        defer { cluster.shutdown() }
        try cluster.startAll()
        let client = try cluster.client()
        _ = try #require(waitForLeader(client, among: cluster.ids), "no leader within 5s")
        let big = String((0..<30_000).map { i in Character(UnicodeScalar(UInt8(97 + i % 26))) })
        let put = client.perform(.put(key: "big", value: big), timeout: .seconds(5))
        #expect(put.outcome == .ok(.ok), "put: \(String(describing: put.outcome))")
        // Every node applied it: the appends (over 2048 bytes) reached the followers whole.
        for id in cluster.ids {
            let applied = eventually(within: .seconds(3)) {
                client.control(.localGet(key: "big"), to: id) == .localValue(big)
            }
            #expect(applied, "node \(id) did not apply the 30 KB value")
        }
        let get = client.perform(.get(key: "big"), timeout: .seconds(5))
        let same = get.outcome == .ok(.value(big))
        #expect(same, "get big returned something else (\(String(describing: get.outcome).utf8.count) bytes)")

        // A value too large for one datagram is refused, not silently lost.
        let huge = String(repeating: "z", count: 70_000)
        let tooBig = client.perform(.put(key: "huge", value: huge), timeout: .seconds(2))
        guard case .failed(.rejected) = tooBig.outcome else {
            Issue.record("oversized put: \(String(describing: tooBig.outcome))")
            return
        }
    }

    @Test(arguments: [false, true])
    func restartedClusterKeepsItsData(backgroundWrites: Bool) throws {
        let cluster = try LocalCluster()
        cluster.backgroundWrites = backgroundWrites
        defer { cluster.shutdown() }
        try cluster.startAll()
        var client = try cluster.client()
        _ = try #require(waitForLeader(client, among: cluster.ids), "no leader within 5s")
        for i in 0..<5 {
            let r = client.perform(.put(key: "k\(i)", value: "v\(i)"), timeout: .seconds(5))
            #expect(r.outcome == .ok(.ok), "put k\(i): \(String(describing: r.outcome))")
        }
        let r = client.perform(.delete(key: "k0"), timeout: .seconds(5))
        #expect(r.outcome == .ok(.ok))

        // Stop every node; start them again on the same directories.
        for id in cluster.ids { cluster.stop(id) }
        try cluster.startAll()
        client = try cluster.client()
        _ = try #require(waitForLeader(client, among: cluster.ids, within: .seconds(8)), "no leader after restart")
        for i in 1..<5 {
            let g = client.perform(.get(key: "k\(i)"), timeout: .seconds(5))
            #expect(g.outcome == .ok(.value("v\(i)")), "get k\(i) after restart: \(String(describing: g.outcome))")
        }
        let g0 = client.perform(.get(key: "k0"), timeout: .seconds(5))
        #expect(g0.outcome == .ok(.value(nil)))
        // Every node re-applied its log.
        for id in cluster.ids {
            let ok = eventually(within: .seconds(3)) { client.control(.localGet(key: "k4"), to: id) == .localValue("v4") }
            #expect(ok, "node \(id) lacks k4 after restart")
        }
    }

    @Test func controlCutsIsolateALeaderAndHealRestores() throws {
        let cluster = try LocalCluster()
        defer { cluster.shutdown() }
        try cluster.startAll()
        let client = try cluster.client()
        let leader = try #require(waitForLeader(client, among: cluster.ids), "no leader within 5s")
        let put = client.perform(.put(key: "a", value: "1"), timeout: .seconds(5))
        #expect(put.outcome == .ok(.ok))

        // Cut the leader off from both followers, on every node's transport.
        let rest = cluster.ids.filter { $0 != leader }
        #expect(client.control(.cut(peers: rest), to: leader) == .ok)
        for id in rest { #expect(client.control(.cut(peers: [leader]), to: id) == .ok) }
        let newLeader = try #require(waitForLeader(client, among: rest, within: .seconds(5)),
                                     "the majority side elected no leader")
        #expect(newLeader != leader)
        // The old leader cannot serve a linearizable read.
        let stale = client.perform(.get(key: "a"), timeout: .milliseconds(800), via: leader)
        #expect(stale.outcome != .ok(.value("1")), "old leader answered \(String(describing: stale.outcome))")
        let put2 = client.perform(.put(key: "a", value: "2"), timeout: .seconds(5))
        #expect(put2.outcome == .ok(.ok))

        // Bad fault settings are refused with a reason.
        guard case .error? = client.control(.setFaults(peer: 0, lossPPM: 2_000_000, duplicatePPM: 0,
                                                       delayMinNanos: 0, delayMaxNanos: 0), to: leader) else {
            Issue.record("loss above 100% accepted")
            return
        }

        for id in cluster.ids { #expect(client.control(.heal, to: id) == .ok) }
        let caughtUp = eventually(within: .seconds(5)) {
            client.control(.localGet(key: "a"), to: leader) == .localValue("2")
        }
        #expect(caughtUp, "the old leader did not catch up after heal")
        guard case .log(let tail)? = client.control(.logTail(count: 3), to: newLeader) else {
            Issue.record("no log tail")
            return
        }
        #expect(!tail.isEmpty && tail.count <= 3)
    }

    @Test func lossyLinksStillCommit() throws {
        let cluster = try LocalCluster()
        defer { cluster.shutdown() }
        try cluster.startAll()
        let client = try cluster.client()
        _ = try #require(waitForLeader(client, among: cluster.ids), "no leader within 5s")
        for id in cluster.ids {
            let r = client.control(.setFaults(peer: 0, lossPPM: 200_000, duplicatePPM: 200_000,
                                              delayMinNanos: 1_000_000, delayMaxNanos: 5_000_000), to: id)
            #expect(r == .ok)
        }
        for i in 0..<10 {
            let r = client.perform(.put(key: "l\(i)", value: "\(i)"), timeout: .seconds(5))
            #expect(r.outcome == .ok(.ok), "put l\(i): \(String(describing: r.outcome))")
        }
        let g = client.perform(.get(key: "l9"), timeout: .seconds(5))
        #expect(g.outcome == .ok(.value("9")))
        for id in cluster.ids { #expect(client.control(.heal, to: id) == .ok) }
    }

    @Test(arguments: [false, true])
    func concurrentClientsAllCommit(backgroundWrites: Bool) throws {
        let cluster = try LocalCluster()
        cluster.backgroundWrites = backgroundWrites
        defer { cluster.shutdown() }
        try cluster.startAll()
        let probe = try cluster.client()
        let leader = try #require(waitForLeader(probe, among: cluster.ids), "no leader within 5s")
        let clients = try (0..<4).map { i in try cluster.client(id: 100 + ClientID(i)) }
        let runs = clients.enumerated().map { (i, c) in
            Background { () -> [String] in
                var failures: [String] = []
                for j in 0..<15 {
                    let r = c.perform(.put(key: "c\(i)-\(j)", value: "\(j)"), timeout: .seconds(5))
                    if r.outcome != .ok(.ok) { failures.append("c\(i)-\(j): \(String(describing: r.outcome))") }
                }
                return failures
            }
        }
        for run in runs {
            let failures = try #require(run.wait(30), "a client did not finish")
            #expect(failures.isEmpty, "\(failures)")
        }
        for i in 0..<4 {
            let g = probe.perform(.get(key: "c\(i)-14"), timeout: .seconds(5))
            #expect(g.outcome == .ok(.value("14")))
        }
        let counters = try #require(cluster.daemons[leader]).currentCounters()
        #expect(counters.clientRequests >= 60)
        #expect(counters.droppedMalformed == 0 && counters.oversized == 0)
    }

    @Test func startupErrorsAreClearAndHarmless() throws {
        let cluster = try LocalCluster()
        defer { cluster.shutdown() }
        try cluster.start(1)

        // Port in use: node 1 holds it (binding anew, not on a copy of the held socket).
        var again = try cluster.config(1)
        if let fd = again.listenDescriptor { close(fd) }
        again.listenDescriptor = nil
        let otherDir = try makeTempDir("other")
        defer { removeDir(otherDir) }
        again.dataDirectory = otherDir
        #expect {
            try RaftDaemon.start(again, log: { _ in }).stop()
        } throws: { error in
            "\(error)".contains("address already in use")
        }
        // The failed start touched nothing in the (empty) directory it was given.
        #expect((try? FileManager.default.contentsOfDirectory(atPath: otherDir))?.isEmpty == true)

        // Node 2 on node 1's data directory.
        var wrongDir = try cluster.config(2)
        wrongDir.dataDirectory = cluster.dirs[1]!
        let before = try FileManager.default.contentsOfDirectory(atPath: cluster.dirs[1]!).sorted()
        #expect(throws: DaemonError.self) { try RaftDaemon.start(wrongDir, log: { _ in }).stop() }
        // The port it bound was released again.
        let two = try cluster.start(2)
        #expect(two.localAddress?.port == cluster.peers[2]!.port)
        #expect(try FileManager.default.contentsOfDirectory(atPath: cluster.dirs[1]!).sorted() == before)

        // Peers without this node.
        var missing = try cluster.config(3)
        missing.peers[3] = nil
        #expect {
            try RaftDaemon.start(missing, log: { _ in }).stop()
        } throws: { error in
            "\(error)".contains("does not contain this node")
        }

        // An unreadable data directory (a file where a directory should be).
        var fileDir = try cluster.config(3)
        let file = otherDir + "/not-a-dir"
        #expect(FileManager.default.createFile(atPath: file, contents: Data("x".utf8)))
        fileDir.dataDirectory = file
        #expect(throws: DaemonError.self) { try RaftDaemon.start(fileDir, log: { _ in }).stop() }
    }
}
