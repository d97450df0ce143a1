import Check
import KV
import Testing

@Suite struct HistoryTests {
    @Test func invokeAndCompleteRecordOperations() {
        var h = History()
        let a = h.invoke(client: 1, op: .put(key: "x", value: "1"), at: 10)
        let b = h.invoke(client: 2, op: .get(key: "x"), at: 20)
        #expect(a == 0 && b == 1)
        #expect(h.pending == [0, 1])
        h.complete(b, outcome: .ok(.value("1")), at: 30)
        #expect(h.pending == [0])
        #expect(h.operations[1].complete == 30)
        #expect(h.operations[1].outcome == .ok(.value("1")))
        // Never completed: unknown, no completion time.
        #expect(h.operations[0].outcome == .unknown)
        #expect(h.operations[0].complete == nil)
    }

    @Test func secondCompletionIsIgnored() {
        var h = History()
        let a = h.invoke(client: 1, op: .put(key: "x", value: "1"), at: 10)
        h.complete(a, outcome: .ok(.ok), at: 20)
        h.complete(a, outcome: .fail, at: 40)
        #expect(h.operations[a].outcome == .ok(.ok))
        #expect(h.operations[a].complete == 20)
    }

    @Test func initFromOperationsRenumbersIDs() {
        let op = HistoryOperation(id: 42, client: 1, op: .get(key: "x"), invoke: 0, complete: 5, outcome: .ok(.value(nil)))
        let h = History(operations: [op, op])
        #expect(h.operations.map(\.id) == [0, 1])
    }
}
