import Testing
import RaftCore
import KV
@testable import Wire

@Suite struct MaelstromMessageTests {
    @Test func parseAndWriteALine() throws {
        let m = try MaelstromMessage.parse(#"{"src":"c1","dest":"n2","body":{"type":"cas","msg_id":3,"key":1,"from":2,"to":"x"}}"#)
        #expect(m.src == "c1" && m.dest == "n2" && m.type == "cas" && m.msgID == 3)
        #expect(MaelstromKV.operation(m.body) == .cas(key: "1", from: "2", to: "x"))
        #expect(try MaelstromMessage.parse(m.line) == m)
        #expect(m.line == #"{"body":{"from":2,"key":1,"msg_id":3,"to":"x","type":"cas"},"dest":"n2","src":"c1"}"#)
    }

    @Test func malformedLinesSayWhy() {
        func why(_ s: String) -> String? {
            do { _ = try MaelstromMessage.parse(s); return nil } catch { return (error as? MaelstromMessage.ParseError)?.message }
        }
        #expect(why("{") ?? "" != "")
        #expect(why("[1]") == "not a JSON object")
        #expect(why(#"{"dest":"n1","body":{"type":"x"}}"#) == "no string \"src\"")
        #expect(why(#"{"src":"c1","dest":"n1","body":3}"#) == "no object \"body\"")
        #expect(why(#"{"src":"c1","dest":"n1","body":{"msg_id":1}}"#) == "the body has no string \"type\"")
    }

    @Test func everyOutcomeSurvivesTheTripThroughAReply() {
        let ops: [KVOperation] = [.get(key: "1"), .put(key: "1", value: "2"), .cas(key: "1", from: "2", to: "3"),
                                  .append(key: "k", value: "v"), .delete(key: "k")]
        let outcomes: [(ReplyOutcome, KVOperation)] = [
            (.done(.value("7")), ops[0]), (.done(.value(nil)), ops[0]), (.done(.ok), ops[1]), (.done(.ok), ops[2]),
            (.done(.casFailed(current: nil)), ops[2]), (.done(.casFailed(current: "9")), ops[2]), (.done(.casMismatch), ops[2]),
            (.done(.ok), ops[3]), (.done(.ok), ops[4]), (.notLeader(leader: 3), ops[1]), (.notLeader(leader: noNode), ops[0]),
        ]
        for (outcome, op) in outcomes {
            #expect(MaelstromKV.outcome(MaelstromKV.replyBody(outcome, of: op), of: op) == outcome, "\(outcome) of \(op)")
        }
        // Errors that do not say the operation failed for sure stay failures (a write's outcome unknown).
        #expect(MaelstromKV.outcome(MaelstromKV.error(.crash, "boom"), of: ops[1]) == .failed("error 13: boom"))
        #expect(MaelstromKV.outcome(["type": .string("weird")], of: ops[1]) == .failed("unexpected reply type \"weird\""))
        #expect(MaelstromErrorCode.timeout.isDefinite == false && MaelstromErrorCode.preconditionFailed.isDefinite)
    }
}
