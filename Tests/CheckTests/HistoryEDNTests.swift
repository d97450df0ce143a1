import Foundation
import Testing
import KV
@testable import Check

@Suite struct EDNReaderTests {
    func read(_ s: String) throws -> [EDN] {
        var r = EDNReader(s)
        return try r.readAll()
    }

    @Test func valuesOfEveryKind() throws {
        let v = try read(#"{:a 1, :b [-2 3.5 "x\"y\n"] :c nil :d #{true false} :e (sym :k/w)} ; comment"#)
        #expect(v == [.map([
            (.keyword("a"), .int(1)),
            (.keyword("b"), .vector([.int(-2), .double(3.5), .string("x\"y\n")])),
            (.keyword("c"), .null),
            (.keyword("d"), .set([.bool(true), .bool(false)])),
            (.keyword("e"), .list([.symbol("sym"), .keyword("k/w")])),
        ])])
        #expect(try read("#_ {:skipped 1} 7 #inst \"2024\"") == [.int(7), .string("2024")])
        #expect(try read("\"\\u00e9\"") == [.string("é")])
    }

    @Test func malformedInputSaysWhere() {
        func error(_ s: String) -> EDNError? {
            do { _ = try read(s); return nil } catch { return error as? EDNError }
        }
        #expect(error("{:a 1\n :b \"open") == EDNError("unterminated string", line: 2, column: 5))
        #expect(error("[1 2") == EDNError("']' missing for the collection opened here", line: 1, column: 1))
        #expect(error("{:a}")?.message.hasPrefix("a map needs an even number of forms") == true)
        #expect(error("1 ]") == EDNError("unexpected ']'", line: 1, column: 3))
        #expect(error("12abc")?.message == "malformed number '12abc'")
        #expect(error(String(repeating: "[", count: 300))?.message == "nested too deeply")
    }

    @Test func printsWhatItReads() throws {
        let text = #"{:process 3, :type :invoke, :f :cas, :value [1 "two words"], :x nil}"#
        let v = try read(text)
        #expect(v.first?.description == text)
        #expect(try read(v.first!.description) == v)
    }
}

@Suite struct HistoryEDNTests {
    @Test func roundTripKeepsOperationsOutcomesAndOrder() throws {
        let h = randomLinearizableHistory(operations: 400, clients: 6, keys: 3, seed: 5, unknownRate: 0.1,
                                          failRate: 0.05, casAppendRate: 0.4)
        let back = try HistoryEDN.read(HistoryEDN.write(h))
        #expect(back.count == h.count)
        // Same operations per client in the same order, with the same outcomes.
        func byClient(_ x: History) -> [ClientID: [String]] {
            var out: [ClientID: [String]] = [:]
            for op in x.operations.sorted(by: { ($0.invoke, $0.id) < ($1.invoke, $1.id) }) {
                out[op.client, default: []].append("\(op.op) \(op.outcome) \(op.complete == nil)")
            }
            return out
        }
        // Operations that never completed come back as :info completed at the end.
        var expected = byClient(h)
        for (c, ops) in expected { expected[c] = ops.map { $0.replacingOccurrences(of: " true", with: " false") } }
        #expect(byClient(back) == expected)
        #expect(LinearizabilityChecker().check(back).isLinearizable == LinearizabilityChecker().check(h).isLinearizable)
        // Real-time order is kept: every pair ordered in one is ordered the same way in the other.
        let a = h.operations.sorted { ($0.invoke, $0.id) < ($1.invoke, $1.id) }
        let b = back.operations
        for i in a.indices.prefix(80) {
            for j in a.indices.prefix(80) where i != j {
                guard let ci = a[i].complete, let bi = b[i].complete else { continue }
                #expect((ci < a[j].invoke) == (bi < b[j].invoke))
            }
        }
    }

    /// A client's next operation invoked at the instant its last one completed (the simulator does
    /// that) still reads back as two operations of one process, one after the other.
    @Test func backToBackOperationsOfOneClient() throws {
        var h = History()
        let a = h.invoke(client: 1, op: .put(key: "x", value: "1"), at: 0)
        let other = h.invoke(client: 2, op: .get(key: "x"), at: 5)
        h.complete(a, outcome: .ok(.ok), at: 5)
        let b = h.invoke(client: 1, op: .cas(key: "x", from: "1", to: "2"), at: 5)
        h.complete(b, outcome: .ok(.ok), at: 9)
        h.complete(other, outcome: .ok(.value("2")), at: 9)
        let back = try HistoryEDN.read(HistoryEDN.write(h))
        #expect(back.operations.map(\.op) == [.put(key: "x", value: "1"), .get(key: "x"), .cas(key: "x", from: "1", to: "2")])
        #expect(back.operations.map(\.complete) == [5, 9, 9])
        #expect(LinearizabilityChecker().check(back).isLinearizable)
    }

    @Test func readsJepsenIndependentTuplesAndSingleRegisters() throws {
        let jepsen = """
            {:type :invoke, :f :write, :value [0 3], :process 0, :time 10, :index 0}
            {:type :invoke, :f :read, :value [0 nil], :process 1, :time 20, :index 1}
            {:type :ok, :f :write, :value [0 3], :process 0, :time 30, :index 2}
            {:type :invoke, :f :start, :value nil, :process :nemesis, :time 31}
            {:type :ok, :f :read, :value [0 3], :process 1, :time 40, :index 3}
            {:type :invoke, :f :cas, :value [0 [3 4]], :process 0, :time 50, :index 4}
            {:type :info, :f :cas, :value [0 [3 4]], :process 0, :time 60, :index 5}
            """
        let h = try HistoryEDN.read(jepsen)
        #expect(h.operations.map(\.op) == [.put(key: "0", value: "3"), .get(key: "0"), .cas(key: "0", from: "3", to: "4")])
        #expect(h.operations.map(\.outcome) == [.ok(.ok), .ok(.value("3")), .unknown])
        #expect(h.operations[1].invoke == 20 && h.operations[1].complete == 40)
        #expect(LinearizabilityChecker().check(h).isLinearizable)

        let register = """
            {:process 1, :type :invoke, :f :put, :value "a"}
            {:process 1, :type :ok, :f :put, :value "a"}
            {:process 2, :type :invoke, :f :append, :value "b"}
            {:process 2, :type :ok, :f :append, :value "b"}
            {:process 1, :type :invoke, :f :get, :value nil}
            {:process 1, :type :ok, :f :get, :value "a"}
            """
        let r = try HistoryEDN.read(register)
        #expect(r.operations.map(\.op.key) == ["register", "register", "register"])
        // The append completed before the get began, so the get must see "ab".
        #expect(!LinearizabilityChecker().check(r).isLinearizable)
    }

    @Test func inconsistentEventsSayWhichLine() {
        func error(_ s: String) -> EDNError? {
            do { _ = try HistoryEDN.read(s); return nil } catch { return error }
        }
        #expect(error("{:process 1, :type :ok, :f :read, :value 1}") ==
                EDNError("process 1 completes an operation it never invoked", line: 1, column: 1))
        #expect(error("{:process 1, :type :invoke, :f :read}\n  {:process 1, :type :invoke, :f :read}")?.line == 2)
        #expect(error("{:process 1, :type :invoke, :f :swap, :value 1}")?.message.hasPrefix("unknown :f :swap") == true)
        #expect(error("{:process 1, :type :invoke, :f :cas, :value 1}")?.message == ":cas needs :value [from to]")
        #expect(error("[1 2]")?.message.hasPrefix("expected a map") == true)
        #expect(error("{:process 1, :type :invoke, :f :read}\n{:process 1, :type :ok, :f :write}")?.message
                == "process 1 invoked :read but completes :write")
    }

    @Test func explainFindsTheOperationTheSearchCouldNotGetPast() throws {
        let h = try HistoryEDN.read("""
            {:process 1, :type :invoke, :f :write, :key "x", :value 1, :time 0}
            {:process 1, :type :ok, :f :write, :key "x", :value 1, :time 10}
            {:process 1, :type :invoke, :f :write, :key "x", :value 2, :time 20}
            {:process 1, :type :ok, :f :write, :key "x", :value 2, :time 30}
            {:process 2, :type :invoke, :f :read, :key "x", :time 40}
            {:process 2, :type :ok, :f :read, :key "x", :value 1, :time 50}
            {:process 1, :type :invoke, :f :write, :key "x", :value 3, :time 60}
            {:process 1, :type :ok, :f :write, :key "x", :value 3, :time 70}
            """)
        let (stuck, window) = LinearizabilityChecker().explain(h.operations)
        #expect(stuck?.op == .get(key: "x"))
        #expect(window.contains { $0.id == stuck?.id })
        #expect(!window.contains { $0.op == .put(key: "x", value: "3") })
    }
}
