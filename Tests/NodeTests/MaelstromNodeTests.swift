import Testing
import RaftCore
import KV
import Wire
import Node

/// `raftd --maelstrom`'s node, fed lines by hand.
@Suite struct MaelstromNodeTests {
    final class Out: @unchecked Sendable {
        var lines: [MaelstromMessage] = []
        func take() -> [MaelstromMessage] { defer { lines.removeAll() }; return lines }
    }

    func node() -> (MaelstromNode, Out) {
        let out = Out()
        let n = MaelstromNode(options: MaelstromOptions(), write: { out.lines.append(try! MaelstromMessage.parse($0)) },
                              log: { _ in })
        return (n, out)
    }

    func line(_ src: String, _ dest: String, _ body: [String: JSONValue]) -> String {
        MaelstromMessage(src: src, dest: dest, body: body).line
    }

    @Test func aOneNodeClusterServesLinKV() throws {
        let (n, out) = node()
        n.handle(line("c1", "n1", ["type": .string("read"), "msg_id": .int(1), "key": .int(1)]))
        #expect(out.take().first?.body["code"] == .int(11))  // not initialized yet
        n.handle(line("c0", "n1", ["type": .string("init"), "msg_id": .int(7), "node_id": .string("n1"),
                                   "node_ids": .array([.string("n1")])]))
        let ok = try #require(out.take().first)
        #expect(ok.type == "init_ok" && ok.inReplyTo == 7 && ok.src == "n1" && ok.dest == "c0")
        for _ in 0..<40 { n.tick() }  // elect itself
        n.handle(line("c1", "n1", ["type": .string("write"), "msg_id": .int(2), "key": .int(1), "value": .int(5)]))
        n.handle(line("c1", "n1", ["type": .string("cas"), "msg_id": .int(3), "key": .int(1), "from": .int(5), "to": .int(6)]))
        n.handle(line("c1", "n1", ["type": .string("cas"), "msg_id": .int(4), "key": .int(1), "from": .int(5), "to": .int(7)]))
        n.handle(line("c1", "n1", ["type": .string("read"), "msg_id": .int(5), "key": .int(1)]))
        n.handle(line("c1", "n1", ["type": .string("read"), "msg_id": .int(6), "key": .int(9)]))
        var replies: [Int64: MaelstromMessage] = [:]
        for m in out.take() { if let r = m.inReplyTo { replies[r] = m } }
        #expect(replies[2]?.type == "write_ok")
        #expect(replies[3]?.type == "cas_ok")
        #expect(replies[4]?.body["code"] == .int(22) && replies[4]?.body["current"] == .int(6))
        #expect(replies[5]?.body["value"] == .int(6))
        #expect(replies[6]?.body["code"] == .int(20))
    }

    @Test func aRetriedRequestWithRaftshNumbersAppliesOnce() {
        let (n, out) = node()
        n.handle(line("c0", "n1", ["type": .string("init"), "msg_id": .int(1), "node_id": .string("n1"),
                                   "node_ids": .array([.string("n1")])]))
        for _ in 0..<40 { n.tick() }
        _ = out.take()
        for msgID in [10, 11] as [Int64] {  // one request sent twice, as a retry
            n.handle(line("c4", "n1", ["type": .string("append"), "msg_id": .int(msgID), "key": .string("k"),
                                       "value": .string("x"), "raftsh_client": .int(4), "raftsh_seq": .int(1)]))
        }
        n.handle(line("c4", "n1", ["type": .string("read"), "msg_id": .int(12), "key": .string("k"),
                                   "raftsh_client": .int(4), "raftsh_seq": .int(2)]))
        let read = out.take().first { $0.inReplyTo == 12 }
        #expect(read?.body["value"] == .string("x"))
    }

    @Test func malformedLinesAreDroppedAndCounted() {
        let (n, out) = node()
        n.handle("not json")
        n.handle("{\"src\": \"c1\", \"dest\": \"n1\"}")
        n.handle("[1, 2]")
        n.handle(line("n2", "n1", ["type": .string("raft"), "m": .string("!!")]))
        #expect(n.malformedLines == 4)
        #expect(out.take().isEmpty)
    }
}
