import Foundation
import Testing
import NodeTestSupport
import Harness
import RaftCore
import KV
import Wire
import Node

/// A scripted stand-in for a node: a plain UDP socket on 127.0.0.1 that the test reads and answers by hand.
final class FakeNode {
    let fd: Int32
    let port: Int

    init() throws {
        let s = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard s >= 0 else { throw TestFailure("socket() failed") }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let ok = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard ok == 0 else {
            close(s)
            throw TestFailure("bind() failed")
        }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(s, $0, &len) }
        }
        var tv = timeval(tv_sec: 3, tv_usec: 0)
        setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        fd = s
        port = Int(UInt16(bigEndian: addr.sin_port))
    }

    deinit { close(fd) }

    var address: String { "127.0.0.1:\(port)" }

    /// The next datagram (within 3 s) and who sent it.
    func receive() -> (WireMessage, sockaddr_in)? {
        var buf = [UInt8](repeating: 0, count: 65_536)
        var from = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let n = withUnsafeMutablePointer(to: &from) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(fd, &buf, buf.count, 0, $0, &len) }
        }
        guard n > 0, let m = try? WireCodec.decode(buf[0..<n]) else { return nil }
        return (m, from)
    }

    func send(_ m: WireMessage, to dest: sockaddr_in) {
        var d = dest
        let bytes = WireCodec.encode(m)
        _ = withUnsafePointer(to: &d) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(fd, bytes, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
    }

    /// The next client request, or nil.
    func nextRequest() -> (ClientRequest, sockaddr_in)? {
        guard let (m, from) = receive(), case .clientRequest(let r) = m else { return nil }
        return (r, from)
    }
}

/// Runs `body` on a thread of its own; `wait()` returns its result (bounded).
final class Background<T: Sendable>: @unchecked Sendable {
    private var result: T?
    private let done = DispatchSemaphore(value: 0)

    init(_ body: @escaping @Sendable () -> T) {
        Thread.detachNewThread {
            self.result = body()
            self.done.signal()
        }
    }

    func wait(_ seconds: Double = 10) -> T? {
        done.wait(timeout: .now() + seconds) == .success ? result : nil
    }
}

@Suite("UDPClient against scripted nodes", .serialized)
struct UDPClientTests {
    @Test func followsRedirectsRetriesTheSameSeqAndCountsDuplicates() throws {
        let n1 = try FakeNode(), n2 = try FakeNode(), n3 = try FakeNode()
        let fakes: [NodeID: FakeNode] = [1: n1, 2: n2, 3: n3]
        // Attempts wait 1 s (not the default 200 ms): the script below answers by hand, and a test
        // thread starved for longer than an attempt (a loaded machine) made the client retry
        // elsewhere before the scripted answer came, so the script no longer matched.
        let client = try UDPClient(nodes: [1: n1.address, 2: n2.address, 3: n3.address], clusterKey: "k", clientID: 5,
                                   attemptTimeout: .seconds(1))
        defer { client.close() }

        // 1. Whichever node the client tries first redirects it to the node it would NOT try next
        //    on its own; that node answers, then answers again.
        let op1 = Background { client.perform(.put(key: "a", value: "1"), timeout: .seconds(5), via: nil) }
        let (req0, from0) = try #require(Self.first(of: fakes), "no request reached any node")
        let hint: NodeID = [1: 3, 2: 1, 3: 2][from0.id]!
        from0.node.send(.clientReply(ClientReply(client: 5, seq: req0.seq, outcome: .notLeader(leader: hint))),
                        to: from0.address)
        let (req, from) = try #require(Self.first(of: fakes), "no request after the redirect")
        #expect(from.id == hint, "after a redirect to \(hint) the client asked \(from.id)")
        #expect(req.seq == req0.seq)
        #expect(req.client == 5 && req.op == .put(key: "a", value: "1"))
        let reply = ClientReply(client: 5, seq: req.seq, outcome: .done(.ok), index: 7)
        from.node.send(.clientReply(reply), to: from.address)
        let r1 = try #require(op1.wait(), "perform did not return")
        #expect(r1.outcome == .ok(.ok))
        #expect(r1.node == hint)
        #expect(r1.index == 7)
        #expect(r1.redirects == 1)
        #expect(r1.attempts == 2)
        from.node.send(.clientReply(reply), to: from.address)  // the same answer again
        #expect(eventually(within: .seconds(2)) { client.duplicateReplies == 1 })

        // 2. The leader (now remembered) stays silent: the client retries the same seq on it (under loss
        //    the leader is still the best bet), and after three silent attempts on another node.
        let leader = fakes[hint]!
        let op2 = Background { client.perform(.get(key: "a"), timeout: .seconds(8), via: nil) }
        var atLeader: [ClientRequest] = []
        for _ in 0..<3 {
            let (r, _) = try #require(leader.nextRequest(), "no request at the remembered leader")
            atLeader.append(r)
        }
        #expect(atLeader.map(\.seq) == Array(repeating: req.seq + 1, count: 3))
        let others = fakes.filter { $0.key != hint }
        let (retry, retrySource) = try #require(Self.first(of: others), "no retry at another node")
        #expect(retry.seq == req.seq + 1)
        retrySource.node.send(.clientReply(ClientReply(client: 5, seq: retry.seq, outcome: .done(.value("1")), index: 7)),
                              to: retrySource.address)
        let r2 = try #require(op2.wait(), "perform did not return")
        #expect(r2.outcome == .ok(.value("1")))
        #expect(r2.attempts == 4)
        #expect(r2.node == retrySource.id)

        // 3. Nobody answers: nil outcome after the overall timeout, several attempts.
        let r3 = client.perform(.delete(key: "a"), timeout: .milliseconds(2_500), via: 1)
        #expect(r3.outcome == .indefinite(.timeout))
        #expect(r3.attempts >= 3)

        // 4. Control replies are matched by id, and carry the key.
        let ctl = Background { client.control(.status, to: 1, timeout: .seconds(3)) }
        var controlSeen = false
        for _ in 0..<10 {
            guard let (m, who) = n1.receive() else { break }
            if case .control(.status, let id, let key) = m {
                #expect(key == Array("k".utf8))
                n1.send(.controlReply(.error("busy"), id: id &+ 1), to: who)  // wrong id: ignored
                n1.send(.controlReply(.ok, id: id), to: who)
                controlSeen = true
                break
            }
        }
        #expect(controlSeen)
        #expect(ctl.wait() == .some(.ok))
    }

    struct Source {
        var id: NodeID
        var node: FakeNode
        var address: sockaddr_in
    }

    /// The first client request that reaches any of `nodes` (polling each for 20 ms in turn, up to 5 s).
    static func first(of nodes: [NodeID: FakeNode]) -> (ClientRequest, Source)? {
        for _ in 0..<80 {
            for id in nodes.keys.sorted() {
                let n = nodes[id]!
                var tv = timeval(tv_sec: 0, tv_usec: 20_000)
                setsockopt(n.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
                defer {
                    var long = timeval(tv_sec: 3, tv_usec: 0)
                    setsockopt(n.fd, SOL_SOCKET, SO_RCVTIMEO, &long, socklen_t(MemoryLayout<timeval>.size))
                }
                if let (r, from) = n.nextRequest() { return (r, Source(id: id, node: n, address: from)) }
            }
        }
        return nil
    }
}
