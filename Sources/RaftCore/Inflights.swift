/// A bounded window of append messages sent to one follower and not yet acknowledged,
/// remembered by the last index each carried (etcd's inflights).
struct Inflights: Sendable {
    private var buffer: [LogIndex]
    private var start = 0
    private(set) var count = 0

    init(capacity: Int) { buffer = Array(repeating: 0, count: capacity) }

    var capacity: Int { buffer.count }
    var isFull: Bool { count == buffer.count }

    mutating func add(_ last: LogIndex) {
        precondition(!isFull, "inflights overflow")
        buffer[(start + count) % buffer.count] = last
        count += 1
    }

    /// Forget every message whose last index is at most `index`.
    mutating func free(upTo index: LogIndex) {
        while count > 0, buffer[start] <= index {
            start = (start + 1) % buffer.count
            count -= 1
        }
    }

    /// Forget the oldest message (it may have been lost), making room for one more.
    mutating func freeFirstOne() {
        guard count > 0 else { return }
        start = (start + 1) % buffer.count
        count -= 1
    }

    mutating func reset() { start = 0; count = 0 }
}
