import NIOCore
import NIOConcurrencyHelpers
import RaftCore
import KV
import Node

/// A client of an exec cluster: its requests are Maelstrom `lin-kv` messages that the cluster's
/// router writes to the nodes' standard input (through the network model), and its replies come
/// back from their standard output. It runs the shared `ClientStateMachine` on the router's event
/// loop; `perform` blocks its caller. One caller at a time.
public final class ExecClient: BlockingClient, @unchecked Sendable {
    public let clientID: ClientID
    private let router: ExecRouter
    private let policy: ClientStateMachine.Policy
    private let cancelled = NIOLockedValueBox(false)
    private let closed = NIOLockedValueBox(false)

    init(router: ExecRouter, clientID: ClientID, attemptTimeout: Duration = .milliseconds(500),
         backoff: Duration = .milliseconds(25)) {
        self.router = router
        self.clientID = clientID
        self.policy = ClientStateMachine.Policy(attemptTimeout: UInt64(NodeConfig.nanoseconds(attemptTimeout)),
                                                backoff: UInt64(NodeConfig.nanoseconds(backoff)))
    }

    public func perform(_ op: KVOperation, timeout: Duration, via: NodeID?) -> ClientStateMachine.Completion {
        let request = ClientRequest(client: clientID, seq: 0, op: op)
        func abandoned(_ why: String) -> ClientStateMachine.Completion {
            ClientStateMachine.Completion(request: request, outcome: op.isRead ? .failed(.abandoned(why)) : .indefinite(.abandoned(why)),
                                          node: noNode, index: 0, attempts: 0, redirects: 0)
        }
        if closed.withLockedValue({ $0 }) { return abandoned("client closed") }
        if cancelled.withLockedValue({ $0 }) { return abandoned("unanswered") }
        let deadline = UInt64(NodeConfig.nanoseconds(timeout))
        let future = try? router.loop.submit { () -> EventLoopFuture<ClientStateMachine.Completion> in
            let runner = self.router.runner(self.clientID, policy: self.policy)
            let f = runner.start(op, via: via, timeout: deadline)
            if self.cancelled.withLockedValue({ $0 }) { runner.abandon("unanswered") }
            return f
        }.wait()
        guard let future, let done = try? future.wait() else { return abandoned("cluster gone") }
        return done
    }

    public func cancel() {
        cancelled.withLockedValue { $0 = true }
        _ = try? router.loop.submit { self.router.runner(self.clientID, policy: self.policy).abandon("unanswered") }.wait()
    }

    public func close() {
        closed.withLockedValue { $0 = true }
        _ = try? router.loop.submit { self.router.runner(self.clientID, policy: self.policy).abandon("client closed") }.wait()
    }

    public var duplicateReplies: Int {
        (try? router.loop.submit { self.router.duplicateReplies(of: self.clientID) }.wait()) ?? 0
    }
}
