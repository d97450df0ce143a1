import Foundation
import Testing
import RaftCore
import KV
import Wire
import Node
import Harness
import NodeTestSupport

/// raftd with snapshots: a follower that missed what the leader compacted catches up by
/// InstallSnapshot in datagram-sized chunks, and a cluster restarts from snapshots plus the log.
@Suite(.serialized)
struct DaemonSnapshotTests {
    @Test func aLaggingFollowerInstallsASnapshotAndEveryoneRestartsFromOne() throws {
        let cluster = try LocalCluster()
        cluster.snapshotEvery = 10
        defer { cluster.shutdown() }
        try cluster.startAll()
        var client = try cluster.client()
        _ = try #require(waitForLeader(client, among: cluster.ids), "no leader within 5s")
        let (leader, _) = try #require(findLeader(client, among: cluster.ids))
        let lagging = cluster.ids.first { $0 != leader }!
        cluster.stop(lagging)
        // 5 KB values: the snapshot is far larger than a datagram, so it goes in several chunks.
        let big = String(repeating: "x", count: 5_000)
        for i in 0..<40 {
            let r = client.perform(.put(key: "k\(i % 30)", value: "\(i)" + big), timeout: .seconds(5))
            #expect(r.outcome == .ok(.ok), "put \(i): \(String(describing: r.outcome))")
        }
        let report = try #require(status(client, leader))
        #expect(report.firstIndex > 10, "the leader compacted its log (first index \(report.firstIndex))")
        try cluster.start(lagging)
        let caughtUp = eventually(within: .seconds(10)) {
            client.control(.localGet(key: "k9"), to: lagging) == .localValue("39" + big)
        }
        #expect(caughtUp, "node \(lagging) did not catch up")
        // It can only have caught up by snapshot: the leader compacted past what it missed, and the
        // appends sent while it was down are gone (they queued on its held socket, which the cluster
        // drains on a restart, as a crash would lose them; before that drain it caught up from them).
        let installed = cluster.daemons[lagging].map { d in eventually(within: .seconds(2)) { d.currentCounters().snapshotsInstalled >= 1 } }
        let seen = "\(String(describing: cluster.daemons[lagging]?.currentCounters())) \(String(describing: status(client, lagging)))"
        #expect(installed == true, "node \(lagging) caught up without installing a snapshot: \(seen)")
        #expect((status(client, lagging)?.snapshotsInstalled ?? 0) >= 1, "the status report counts the install")
        #expect((status(client, lagging)?.firstIndex ?? 0) > 10)

        // The snapshot control request, then a restart of every node from snapshots and log.
        if case .snapshotTaken(let index)? = client.control(.snapshot, to: leader) {
            #expect(index >= 40)
        } else {
            Issue.record("the snapshot request was not answered with an index")
        }
        for id in cluster.ids { cluster.stop(id) }
        try cluster.startAll()
        client = try cluster.client()
        _ = try #require(waitForLeader(client, among: cluster.ids, within: .seconds(8)), "no leader after restart")
        for id in cluster.ids {
            let ok = eventually(within: .seconds(5)) { client.control(.localGet(key: "k0"), to: id) == .localValue("30" + big) }
            #expect(ok, "node \(id) lost k0 after the restart")
            #expect((status(client, id)?.firstIndex ?? 0) > 10, "node \(id) did not restart from a snapshot")
        }
        let r = client.perform(.put(key: "after", value: "restart"), timeout: .seconds(5))
        #expect(r.outcome == .ok(.ok))
    }

    @Test func theLargestChunkFitsTheReceiveBuffer() throws {
        // The core cuts chunks by its estimate of a message's size; the encoded datagram must stay
        // within WireCodec.maxDatagramBytes (and so within the node's 64 KiB receive buffer).
        let config = NodeConfig(id: 1, peers: [1: HostPort(host: "127.0.0.1", port: 1)], dataDirectory: "/nonexistent")
        let members: [NodeID] = Array(1...9)
        let metadata = SnapshotMetadata(index: .max, term: .max, membership: Membership(voters: members))
        let room = config.maxMessageBytes - Message(kind: .snapshot, from: 1, to: 2, term: .max).byteSize
            - SnapshotChunk(metadata: metadata, offset: 0).overheadBytes
        let m = Message(kind: .snapshot, from: .max, to: .max, term: .max,
                        snapshot: SnapshotChunk(metadata: metadata, offset: .max, data: [UInt8](repeating: 7, count: room), done: true))
        let bytes = WireCodec.encode(.raft(m))
        #expect(bytes.count <= WireCodec.maxDatagramBytes, "\(bytes.count) bytes")
        #expect(WireCodec.maxDatagramBytes <= 65_536)
    }
}
