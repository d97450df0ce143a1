import CDatagram
import Glibc
import NIOCore
import Wire

/// The datagrams a node sends in one turn of its event loop, encoded one after another into one
/// buffer and sent with sendmmsg(2) at `flush(on:)`: no allocation or copy per datagram once the
/// buffers have grown, and one system call for all of them. (SwiftNIO's datagram channel, through
/// which the node still receives, allocated a buffer, an envelope and a queue entry per datagram
/// sent: about a tenth of raftd's CPU besides the system call.)
///
/// A datagram the kernel refuses, or that finds the socket's send buffer full, is dropped and
/// counted, as the network may drop any datagram: Raft and the clients retry.
struct DatagramOutbox {
    private var bytes: [UInt8] = []
    private var offsets: [UInt32] = []
    private var lengths: [UInt32] = []
    private var addresses: [sockaddr_storage] = []
    private var addressLengths: [UInt32] = []

    /// Datagrams waiting for `flush(on:)`.
    var count: Int { offsets.count }

    /// Encodes `message` for `address` at the end of the batch and returns its size; when that
    /// exceeds `WireCodec.maxDatagramBytes` the batch is left as it was (`accepted` is false).
    mutating func append(_ message: WireMessage, to address: SocketAddress) -> (size: Int, accepted: Bool) {
        let start = bytes.count
        let size = WireCodec.encode(message, appendingTo: &bytes)
        guard size <= WireCodec.maxDatagramBytes else {
            bytes.removeSubrange(start...)
            return (size, false)
        }
        add(start: start, size: size, to: address)
        return (size, true)
    }

    /// Appends an already encoded datagram (a copy sent later, by a fault that delays it) for `address`.
    mutating func append(encoded: [UInt8], to address: SocketAddress) {
        let start = bytes.count
        bytes.append(contentsOf: encoded)
        add(start: start, size: encoded.count, to: address)
    }

    private mutating func add(start: Int, size: Int, to address: SocketAddress) {
        offsets.append(UInt32(start))
        lengths.append(UInt32(size))
        var storage = sockaddr_storage()
        let length = address.withSockAddr { sa, n in
            withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: UnsafeRawBufferPointer(start: sa, count: n)) }
            return n
        }
        addresses.append(storage)
        addressLengths.append(UInt32(length))
    }

    /// Sends every datagram in the batch on `fd`, in order, and empties it (keeping capacity).
    /// Returns how many the kernel did not take and the errno of the last refusal.
    mutating func flush(on fd: Int32) -> (notSent: Int, error: Int32) {
        let n = offsets.count
        guard n > 0 else { return (0, 0) }
        var error: Int32 = 0
        let sent = bytes.withUnsafeBufferPointer { b in
            offsets.withUnsafeBufferPointer { o in
                lengths.withUnsafeBufferPointer { l in
                    addresses.withUnsafeBufferPointer { a in
                        addressLengths.withUnsafeBufferPointer { al in
                            raftsh_send_datagrams(fd, b.baseAddress, o.baseAddress, l.baseAddress, a.baseAddress,
                                                  al.baseAddress, UInt32(n), &error)
                        }
                    }
                }
            }
        }
        removeAll()
        return (n - Int(sent), error)
    }

    /// Empties the batch without sending it (keeping capacity).
    mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        offsets.removeAll(keepingCapacity: true)
        lengths.removeAll(keepingCapacity: true)
        addresses.removeAll(keepingCapacity: true)
        addressLengths.removeAll(keepingCapacity: true)
    }
}
