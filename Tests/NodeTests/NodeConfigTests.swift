import Testing
import NodeTestSupport
import Harness
import RaftCore
import Node

@Suite("NodeConfig parsing and validation")
struct NodeConfigTests {
    func message(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let error as NodeConfigError {
            return error.message
        } catch {
            return "unexpected error type: \(error)"
        }
    }

    @Test func parsesPeerList() throws {
        let peers = try NodeConfig.parsePeers("1=127.0.0.1:7001, 2=localhost:7002,3=[::1]:7003")
        #expect(peers.count == 3)
        #expect(peers[1] == HostPort(host: "127.0.0.1", port: 7001))
        #expect(peers[2] == HostPort(host: "localhost", port: 7002))
        #expect(peers[3] == HostPort(host: "::1", port: 7003))
        #expect(NodeConfig.formatPeers(peers) == "1=127.0.0.1:7001,2=localhost:7002,3=[::1]:7003")
    }

    @Test func rejectsBadPeerLists() {
        let dup = message { _ = try NodeConfig.parsePeers("1=127.0.0.1:7001,1=127.0.0.1:7002") }
        #expect(dup?.contains("node id 1 appears twice") == true, "\(dup ?? "no error")")
        let port0 = message { _ = try NodeConfig.parsePeers("1=127.0.0.1:0") }
        #expect(port0?.contains("bad port '0'") == true, "\(port0 ?? "no error")")
        let bigPort = message { _ = try NodeConfig.parsePeers("1=127.0.0.1:70000") }
        #expect(bigPort?.contains("bad port '70000'") == true, "\(bigPort ?? "no error")")
        let textPort = message { _ = try NodeConfig.parsePeers("1=127.0.0.1:http") }
        #expect(textPort?.contains("bad port 'http'") == true, "\(textPort ?? "no error")")
        let noPort = message { _ = try NodeConfig.parsePeers("1=127.0.0.1") }
        #expect(noPort?.contains("missing ':PORT'") == true, "\(noPort ?? "no error")")
        let noEquals = message { _ = try NodeConfig.parsePeers("127.0.0.1:7001") }
        #expect(noEquals?.contains("not ID=HOST:PORT") == true, "\(noEquals ?? "no error")")
        let badID = message { _ = try NodeConfig.parsePeers("0=127.0.0.1:7001") }
        #expect(badID?.contains("bad node id '0'") == true, "\(badID ?? "no error")")
        let empty = message { _ = try NodeConfig.parsePeers("") }
        #expect(empty?.contains("empty") == true, "\(empty ?? "no error")")
        let emptyItem = message { _ = try NodeConfig.parsePeers("1=127.0.0.1:7001,,2=127.0.0.1:7002") }
        #expect(emptyItem?.contains("empty item") == true, "\(emptyItem ?? "no error")")
    }

    @Test func parsesDurations() throws {
        #expect(try NodeConfig.parseDuration("50ms") == .milliseconds(50))
        #expect(try NodeConfig.parseDuration("1.5s") == .milliseconds(1_500))
        #expect(try NodeConfig.parseDuration("2m") == .seconds(120))
        #expect(try NodeConfig.parseDuration("250us") == .microseconds(250))
        #expect(try NodeConfig.parseDurationRange("150ms..300ms") == .milliseconds(150) ... .milliseconds(300))
        #expect(try NodeConfig.parseDurationRange("200ms") == .milliseconds(200) ... .milliseconds(200))
        #expect(NodeConfig.format(.milliseconds(150)) == "150ms")
        #expect(NodeConfig.format(.seconds(2)) == "2s")
    }

    @Test func rejectsBadDurations() {
        for bad in ["150", "ms", "-5ms", "1.2.3s", "5h", "", "10 ms x"] {
            let m = message { _ = try NodeConfig.parseDuration(bad) }
            #expect(m?.contains("is not a duration") == true, "'\(bad)': \(m ?? "no error")")
        }
        let reversed = message { _ = try NodeConfig.parseDurationRange("300ms..150ms") }
        #expect(reversed?.contains("is empty") == true, "\(reversed ?? "no error")")
        let half = message { _ = try NodeConfig.parseDurationRange("150ms..") }
        #expect(half?.contains("is not a duration") == true, "\(half ?? "no error")")
    }

    func config(id: NodeID = 1, peers: String = "1=127.0.0.1:7001,2=127.0.0.1:7002,3=127.0.0.1:7003",
                election: ClosedRange<Duration> = .milliseconds(150) ... .milliseconds(300),
                heartbeat: Duration = .milliseconds(50)) -> NodeConfig {
        NodeConfig(id: id, peers: try! NodeConfig.parsePeers(peers), dataDirectory: "/tmp/x",
                   electionTimeout: election, heartbeat: heartbeat)
    }

    @Test func validatesConfig() throws {
        try config().validate()
        let missing = message { try config(id: 4).validate() }
        #expect(missing?.contains("does not contain this node (id 4)") == true, "\(missing ?? "no error")")
        let slowHeartbeat = message { try config(election: .milliseconds(50) ... .milliseconds(100)).validate() }
        #expect(slowHeartbeat?.contains("must be above the heartbeat") == true, "\(slowHeartbeat ?? "no error")")
        let sameAddress = message {
            try config(peers: "1=127.0.0.1:7001,2=127.0.0.1:7001").validate()
        }
        #expect(sameAddress?.contains("have the same address") == true, "\(sameAddress ?? "no error")")
        let subTick = message { try config(heartbeat: .milliseconds(5)).validate() }
        #expect(subTick?.contains("shorter than one tick") == true, "\(subTick ?? "no error")")
    }

    @Test func votersAndJoining() throws {
        var c = config(peers: "1=127.0.0.1:7001,2=127.0.0.1:7002,3=127.0.0.1:7003,4=127.0.0.1:7004")
        #expect(c.raftConfig().voters == [1, 2, 3, 4] && !c.joins)
        c.voters = [3, 1, 2]
        try c.validate()
        #expect(c.raftConfig().voters == [1, 2, 3])
        c.voters = []
        try c.validate()
        #expect(c.joins && c.raftConfig().voters.isEmpty)
        c.voters = [1, 9]
        #expect(message { try c.validate() }?.contains("voter 9 is not in the peer list") == true)
        c.id = 4
        c.voters = [1, 2, 3]
        #expect(message { try c.validate() }?.contains("starts with --join") == true)
    }

    @Test func convertsTimesToTicks() throws {
        let c = config()
        let rc = c.raftConfig()
        #expect(rc.electionTicksMin == 15)
        #expect(rc.electionTicksMax == 30)
        #expect(rc.heartbeatTicks == 5)
        #expect(rc.voters == [1, 2, 3])
        #expect(rc.maxMessageBytes <= 60_000)
        #expect(c.listen == HostPort(host: "127.0.0.1", port: 7001))
    }

    @Test func clusterIDComesFromTheSortedPeerList() throws {
        let a = config(peers: "1=127.0.0.1:7001,2=127.0.0.1:7002,3=127.0.0.1:7003")
        let b = config(peers: "3=127.0.0.1:7003,1=127.0.0.1:7001,2=127.0.0.1:7002")
        let c = config(peers: "1=127.0.0.1:7001,2=127.0.0.1:7002,3=127.0.0.1:7004")
        #expect(a.clusterID == b.clusterID)
        #expect(a.clusterID != c.clusterID)
        #expect(a.clusterID == "1=127.0.0.1:7001,2=127.0.0.1:7002,3=127.0.0.1:7003")
        var pinned = a
        pinned.explicitClusterID = "prod"
        #expect(pinned.clusterID == "prod")
        var many: [NodeID: HostPort] = [:]
        for i in 1...40 { many[NodeID(i)] = HostPort(host: "10.0.0.\(i)", port: 7000 + i) }
        let long = NodeConfig.clusterID(peers: many)
        #expect(long.hasPrefix("peers-") && long.count == 22)
    }
}
