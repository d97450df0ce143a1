import Foundation
import KV
import NIOCore
import RaftCore
import Testing
import Wire
@testable import Node

@Suite("DatagramOutbox: one sendmmsg per turn")
struct DatagramOutboxTests {
    /// A Raft append carrying `n` entries of `size` bytes each.
    static func append(entries n: Int, size: Int, to: NodeID = 2) -> WireMessage {
        let entries = (0..<n).map { Entry(term: 3, index: LogIndex(8 + $0), data: [UInt8](repeating: UInt8($0 % 251), count: size)) }
        return .raft(Message(kind: .append, from: 1, to: to, term: 3, logTerm: 2, index: 7, commit: 5, entries: entries))
    }

    @Test("datagrams to two sockets arrive whole, in order, each at its own address")
    func sendsToSeveralAddresses() throws {
        let a = try FakeNode(), b = try FakeNode()
        let sender = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        #expect(sender >= 0)
        defer { close(sender) }
        let toA = try SocketAddress(ipAddress: "127.0.0.1", port: a.port)
        let toB = try SocketAddress(ipAddress: "127.0.0.1", port: b.port)
        let messages: [(WireMessage, SocketAddress)] = [
            (Self.append(entries: 1, size: 16), toA),
            (.clientReply(ClientReply(client: 9, seq: 4, outcome: .done(.value("v")))), toB),
            (Self.append(entries: 3, size: 20_000), toA),  // 60 KB: over NIO's 2048-byte default
            (Self.append(entries: 2, size: 8, to: 3), toB),
        ]
        var outbox = DatagramOutbox()
        for (m, to) in messages {
            let (size, accepted) = outbox.append(m, to: to)
            #expect(accepted)
            #expect(size == WireCodec.encode(m).count)
        }
        #expect(outbox.count == 4)
        let (notSent, error) = outbox.flush(on: sender)
        #expect(notSent == 0 && error == 0)
        #expect(outbox.count == 0)
        #expect(a.receive()?.0 == messages[0].0)
        #expect(a.receive()?.0 == messages[2].0)
        #expect(b.receive()?.0 == messages[1].0)
        #expect(b.receive()?.0 == messages[3].0)

        // The emptied outbox is used again (its buffers kept), and a copy encoded on its own goes too.
        let again = Self.append(entries: 1, size: 5)
        _ = outbox.append(again, to: toB)
        outbox.append(encoded: WireCodec.encode(again), to: toA)
        #expect(outbox.flush(on: sender).notSent == 0)
        #expect(b.receive()?.0 == again)
        #expect(a.receive()?.0 == again)
    }

    @Test("an oversized message is refused and leaves the batch as it was")
    func refusesOversized() throws {
        let a = try FakeNode()
        let sender = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(sender) }
        let to = try SocketAddress(ipAddress: "127.0.0.1", port: a.port)
        var outbox = DatagramOutbox()
        let small = Self.append(entries: 1, size: 10)
        #expect(outbox.append(small, to: to).accepted)
        let big = Self.append(entries: 2, size: 40_000)
        let (size, accepted) = outbox.append(big, to: to)
        #expect(!accepted)
        #expect(size > WireCodec.maxDatagramBytes)
        #expect(outbox.count == 1)
        #expect(outbox.flush(on: sender).notSent == 0)
        #expect(a.receive()?.0 == small)
    }

    @Test("a socket that cannot send reports every datagram as not sent, and the batch empties")
    func badSocket() throws {
        var outbox = DatagramOutbox()
        let to = try SocketAddress(ipAddress: "127.0.0.1", port: 9)
        for _ in 0..<3 { _ = outbox.append(Self.append(entries: 1, size: 4), to: to) }
        let (notSent, error) = outbox.flush(on: -1)
        #expect(notSent == 3)
        #expect(error == EBADF)
        #expect(outbox.count == 0)
    }
}
