import NIOCore

/// Splits a byte stream into lines (without their `\n`; a `\r` before it is dropped too). A line
/// longer than `maxLength` is cut there and reported as one line, so a node that never writes a
/// newline cannot make the harness buffer without bound.
struct LineDecoder: ByteToMessageDecoder {
    typealias InboundOut = String

    /// The longest line kept whole.
    let maxLength: Int

    init(maxLength: Int = 1 << 20) {
        self.maxLength = maxLength
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let view = buffer.readableBytesView
        guard let newline = view.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes > maxLength, let cut = buffer.readString(length: maxLength) {
                context.fireChannelRead(wrapInboundOut(cut))
                return .continue
            }
            return .needMoreData
        }
        let length = newline - view.startIndex
        var line = buffer.readString(length: length) ?? ""
        buffer.moveReaderIndex(forwardBy: 1)
        if line.hasSuffix("\r") { line.removeLast() }
        context.fireChannelRead(wrapInboundOut(line))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        if buffer.readableBytes > 0, let rest = buffer.readString(length: buffer.readableBytes) {
            context.fireChannelRead(wrapInboundOut(rest))
        }
        return .needMoreData
    }
}
