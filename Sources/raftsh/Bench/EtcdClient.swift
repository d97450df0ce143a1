import Foundation
import NIOCore
import NIOPosix
import NIOHTTP1

/// A blocking client of etcd's v3 HTTP gateway (`POST /v3/kv/put`, keys and values base64), one
/// keep-alive connection, one request at a time: what `raftsh bench compare` drives etcd with.
final class EtcdClient: PutTarget, @unchecked Sendable {
    /// Why a request failed.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel
    private let host: String
    private let handler: ResponseHandler

    /// Connect to `host:port`.
    init(host: String, port: Int) throws {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        self.host = host
        let handler = ResponseHandler()
        self.handler = handler
        do {
            channel = try ClientBootstrap(group: group)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.pipeline.addHTTPClientHandlers().flatMap { channel.pipeline.addHandler(handler) }
                }
                .connect(host: host, port: port).wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw error
        }
    }

    deinit {
        channel.close(promise: nil)
        try? group.syncShutdownGracefully()
    }

    /// POST `body` (JSON) to `path`; the response status and body.
    func post(_ path: String, _ body: String) throws -> (status: Int, body: String) {
        let promise = channel.eventLoop.makePromise(of: (Int, String).self)
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: host)
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Content-Length", value: String(body.utf8.count))
        let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: path, headers: headers)
        let channel = self.channel
        let handler = self.handler
        try channel.eventLoop.submit {
            handler.waiting = promise
            channel.write(HTTPClientRequestPart.head(head), promise: nil)
            channel.write(HTTPClientRequestPart.body(.byteBuffer(channel.allocator.buffer(string: body))), promise: nil)
            channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        }.wait()
        let (status, text) = try promise.futureResult.wait()
        return (status, text)
    }

    func put(key: String, value: String) -> Bool {
        let k = Data(key.utf8).base64EncodedString(), v = Data(value.utf8).base64EncodedString()
        guard let r = try? post("/v3/kv/put", "{\"key\":\"\(k)\",\"value\":\"\(v)\"}") else { return false }
        return r.status == 200
    }

    /// The member id this endpoint is and the leader's id, from `/v3/maintenance/status`.
    func status() throws -> (member: String, leader: String) {
        let r = try post("/v3/maintenance/status", "{}")
        guard r.status == 200, let data = r.body.data(using: .utf8),
              let json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let header = json["header"] as? [String: Any], let member = header["member_id"] as? String,
              let leader = json["leader"] as? String else {
            throw Failure(description: "unexpected status answer: \(r.status) \(r.body.prefix(200))")
        }
        return (member, leader)
    }

    /// Collects one response and completes the waiting request.
    private final class ResponseHandler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPClientResponsePart
        var waiting: EventLoopPromise<(Int, String)>?
        private var status = 0
        private var body = ""

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                status = Int(head.status.code)
                body = ""
            case .body(var buffer):
                body += buffer.readString(length: buffer.readableBytes) ?? ""
            case .end:
                let w = waiting
                waiting = nil
                w?.succeed((status, body))
            }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            let w = waiting
            waiting = nil
            w?.fail(error)
            context.close(promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            let w = waiting
            waiting = nil
            w?.fail(Failure(description: "connection closed"))
        }
    }
}
