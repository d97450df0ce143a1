import RaftCore

/// Why a node's configuration (or a piece of it, such as a peer list) is unusable.
public struct NodeConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A `HOST:PORT` pair as written on a command line. IPv6 hosts are written in brackets: `[::1]:7001`.
public struct HostPort: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT` (`[V6]:PORT` for IPv6); the port must be 1...65535.
    public init(parsing text: String) throws(NodeConfigError) {
        let s = text.trimmingSpaces
        let host: Substring
        let portText: Substring
        if s.hasPrefix("[") {
            guard let close = s.firstIndex(of: "]"), s[s.index(after: close)...].hasPrefix(":") else {
                throw NodeConfigError("'\(text)' is not HOST:PORT (IPv6 hosts are written [ADDR]:PORT)")
            }
            host = s[s.index(after: s.startIndex)..<close]
            portText = s[s.index(close, offsetBy: 2)...]
        } else {
            guard let colon = s.lastIndex(of: ":") else {
                throw NodeConfigError("'\(text)' is not HOST:PORT (missing ':PORT')")
            }
            host = s[..<colon]
            portText = s[s.index(after: colon)...]
            if host.contains(":") {
                throw NodeConfigError("'\(text)' is not HOST:PORT (write IPv6 hosts as [ADDR]:PORT)")
            }
        }
        if host.isEmpty { throw NodeConfigError("'\(text)' has an empty host") }
        guard let port = Int(portText), (1...65_535).contains(port) else {
            throw NodeConfigError("bad port '\(portText)' in '\(text)': a port is a number from 1 to 65535")
        }
        self.host = String(host)
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// Everything one real node needs: who it is, where it listens, who its peers are, where it keeps
/// its log, and its timing. Durations are wall-clock; the core counts ticks of `tick`.
public struct NodeConfig: Sendable, Hashable {
    /// This node's id (1 or more).
    public var id: NodeID
    /// The address the node's UDP socket binds to.
    public var listen: HostPort
    /// Where every node is, this node included, by id: the address book. Unless `voters` says
    /// otherwise, these are also the voters the cluster starts with.
    public var peers: [NodeID: HostPort]
    /// The voters the cluster started with, when they are not all of `peers` (nil): after
    /// membership changes a restarted node's `peers` name nodes added since, whose addresses it
    /// needs, but its configuration comes from its log and snapshot, and before any change from
    /// these. Empty for a node that joins (`raftd --join`): it is in no configuration, answers only
    /// the leader and never campaigns until a leader's log puts it in one.
    public var voters: [NodeID]?
    /// The directory of this node's write-ahead log.
    public var dataDirectory: String
    /// Election timeouts are drawn from this range (default 150–300 ms, as in the Raft paper).
    public var electionTimeout: ClosedRange<Duration>
    /// A leader sends heartbeats this often (default 50 ms).
    public var heartbeat: Duration
    /// Length of one core tick (default 10 ms). Timeouts are rounded to whole ticks.
    public var tick: Duration
    /// Control messages must carry this key.
    public var clusterKey: String
    /// Set to pin the cluster id; otherwise it is derived from the sorted peer list.
    public var explicitClusterID: String?
    /// Sync the log to disk before votes and append acknowledgements (off only for benchmarks).
    public var fsync: Bool
    /// A leader hands its log writes to a writer thread and goes on while they are stored and synced
    /// (`LogWriter`; `raftd --background-writes`). Off: every node stores its `Ready` on its event
    /// loop (a leader after sending its appends), which measured faster on a 2-core machine, where
    /// the thread's wake-ups cost more than the overlap saved (README, Benchmarks).
    public var backgroundWrites = false
    /// Take a snapshot (and compact the log) every this many applied entries; nil: only when asked
    /// (a `snapshot` control request).
    public var snapshotEvery: LogIndex?
    /// The default `snapshotEvery`: the log and the write-ahead log stay within about this many
    /// entries (twice as many on disk, where the previous snapshot's log is kept).
    public static let defaultSnapshotEvery: LogIndex = 10_000
    /// The byte cap of entries per append message; keeps every datagram under `WireCodec.maxDatagramBytes`.
    public var maxMessageBytes: Int
    /// A UDP socket already bound to `listen` (inherited from the process that started the node, or
    /// a `dup` of one a test holds), used instead of binding a new one; the node takes it over and
    /// closes it when it stops. Whoever started the node can keep its own copy open between runs of
    /// the node, so the port stays reserved across restarts and no other process can take it.
    public var listenDescriptor: Int32?
    /// Test only (`raftd --test-corrupt-log-at`, refused without `RAFTSH_TEST_HOOKS=1`): the
    /// first put at this index or later is stored and applied with a different value on this node,
    /// so that invariant checkers have something to catch.
    public var testCorruptLogAt: LogIndex?

    /// The default cluster key.
    public static let defaultClusterKey = "raftsh"

    public init(id: NodeID, listen: HostPort? = nil, peers: [NodeID: HostPort], dataDirectory: String,
                electionTimeout: ClosedRange<Duration> = .milliseconds(150) ... .milliseconds(300),
                heartbeat: Duration = .milliseconds(50), tick: Duration = .milliseconds(10),
                clusterKey: String = NodeConfig.defaultClusterKey, clusterID: String? = nil, fsync: Bool = true,
                maxMessageBytes: Int = 60_000, snapshotEvery: LogIndex? = NodeConfig.defaultSnapshotEvery) {
        self.id = id
        self.listen = listen ?? peers[id] ?? HostPort(host: "127.0.0.1", port: 0)
        self.peers = peers
        self.dataDirectory = dataDirectory
        self.electionTimeout = electionTimeout
        self.heartbeat = heartbeat
        self.tick = tick
        self.clusterKey = clusterKey
        self.explicitClusterID = clusterID
        self.fsync = fsync
        self.maxMessageBytes = maxMessageBytes
        self.snapshotEvery = snapshotEvery
        self.listenDescriptor = nil
        self.testCorruptLogAt = nil
        self.voters = nil
    }

    /// Whether the node starts outside any configuration (`raftd --join`).
    public var joins: Bool { voters?.isEmpty == true }

    /// The member ids in order.
    public var memberIDs: [NodeID] { peers.keys.sorted() }

    /// The cluster id the data directory is stamped with: the one given, or derived from the peer list.
    public var clusterID: String { explicitClusterID ?? NodeConfig.clusterID(peers: peers) }

    /// The peer list in id order, `ID=HOST:PORT,…`; when that is longer than 256 bytes, `peers-`
    /// and the 16 hex digits of its FNV-1a 64 hash.
    public static func clusterID(peers: [NodeID: HostPort]) -> String {
        let text = formatPeers(peers)
        if text.utf8.count <= 256 { return text }
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in text.utf8 {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01b3
        }
        let hex = String(h, radix: 16)
        return "peers-" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// Throws with a message naming the bad setting.
    public func validate() throws(NodeConfigError) {
        if id == noNode { throw NodeConfigError("node id must be 1 or more") }
        if peers.isEmpty { throw NodeConfigError("the peer list is empty") }
        if peers[id] == nil {
            throw NodeConfigError("the peer list (\(NodeConfig.formatPeers(peers))) does not contain this node (id \(id))")
        }
        if peers.keys.contains(noNode) { throw NodeConfigError("node ids must be 1 or more") }
        var seen: [HostPort: NodeID] = [:]
        for id in memberIDs {
            let a = peers[id]!
            if !(1...65_535).contains(a.port) { throw NodeConfigError("node \(id) has bad port \(a.port)") }
            if let other = seen[a] { throw NodeConfigError("nodes \(other) and \(id) have the same address \(a)") }
            seen[a] = id
        }
        if let voters {
            for v in voters where peers[v] == nil {
                throw NodeConfigError("voter \(v) is not in the peer list (\(NodeConfig.formatPeers(peers)))")
            }
            if !voters.isEmpty && !voters.contains(id) {
                throw NodeConfigError("node \(id) is not among the voters \(voters.map(String.init).joined(separator: ",")); "
                                      + "a node that is not yet a member starts with --join")
            }
        }
        if !(0...65_535).contains(listen.port) { throw NodeConfigError("bad listen port \(listen.port)") }
        if let fd = listenDescriptor, fd < 0 { throw NodeConfigError("bad listen descriptor \(fd)") }
        if testCorruptLogAt == 0 { throw NodeConfigError("--test-corrupt-log-at takes an index from 1") }
        if dataDirectory.isEmpty { throw NodeConfigError("the data directory is empty") }
        if tick <= .zero { throw NodeConfigError("the tick must be longer than 0") }
        if heartbeat < tick {
            throw NodeConfigError("heartbeat \(NodeConfig.format(heartbeat)) is shorter than one tick (\(NodeConfig.format(tick)))")
        }
        if electionTimeout.lowerBound <= heartbeat {
            throw NodeConfigError("election timeout \(NodeConfig.format(electionTimeout.lowerBound)) must be above the heartbeat \(NodeConfig.format(heartbeat))")
        }
        if clusterKey.isEmpty { throw NodeConfigError("the cluster key is empty") }
        if let cid = explicitClusterID,
           cid.isEmpty || cid.utf8.count > 1024 || cid.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) {
            throw NodeConfigError("the cluster id must be 1 to 1024 bytes without control characters")
        }
        if maxMessageBytes < 1_024 || maxMessageBytes > 60_000 {
            throw NodeConfigError("maxMessageBytes must be within 1024...60000 (got \(maxMessageBytes))")
        }
        do { try raftConfig().validate() } catch { throw NodeConfigError(error.description) }
    }

    /// The core configuration, timeouts converted to ticks (rounded to the nearest tick).
    public func raftConfig() -> RaftConfig {
        RaftConfig(id: id, voters: (voters ?? memberIDs).sorted(),
                   electionTicksMin: ticks(electionTimeout.lowerBound),
                   electionTicksMax: ticks(electionTimeout.upperBound),
                   heartbeatTicks: max(1, ticks(heartbeat)),
                   maxMessageBytes: maxMessageBytes)
    }

    private func ticks(_ d: Duration) -> Int {
        let t = NodeConfig.nanoseconds(tick)
        guard t > 0 else { return 0 }
        return Int((NodeConfig.nanoseconds(d) + t / 2) / t)
    }

    // MARK: - Parsing

    /// Parses `ID=HOST:PORT,ID=HOST:PORT,…` (spaces around items are allowed).
    public static func parsePeers(_ text: String) throws(NodeConfigError) -> [NodeID: HostPort] {
        var peers: [NodeID: HostPort] = [:]
        let items = text.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingSpaces }
        if items.count == 1 && items[0].isEmpty { throw NodeConfigError("the peer list is empty") }
        for item in items {
            if item.isEmpty { throw NodeConfigError("empty item in peer list '\(text)'") }
            guard let eq = item.firstIndex(of: "=") else {
                throw NodeConfigError("peer '\(item)' is not ID=HOST:PORT")
            }
            let idText = item[..<eq].trimmingSpaces
            guard let id = NodeID(idText), id != noNode else {
                throw NodeConfigError("bad node id '\(idText)' in peer '\(item)': ids are numbers from 1")
            }
            let addr = try HostPort(parsing: String(item[item.index(after: eq)...]))
            if peers[id] != nil { throw NodeConfigError("node id \(id) appears twice in the peer list") }
            peers[id] = addr
        }
        return peers
    }

    /// Formats a peer list as `parsePeers` reads it, in id order.
    public static func formatPeers(_ peers: [NodeID: HostPort]) -> String {
        peers.keys.sorted().map { "\($0)=\(peers[$0]!)" }.joined(separator: ",")
    }

    /// Parses a duration: a number (decimals allowed) and a unit `us`, `ms`, `s` or `m`, e.g. `50ms`, `1.5s`.
    public static func parseDuration(_ text: String) throws(NodeConfigError) -> Duration {
        let s = text.trimmingSpaces
        let units: [(String, Double)] = [("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9)]
        for (unit, nanosPerUnit) in units where s.hasSuffix(unit) {
            let number = String(s.dropLast(unit.count))
            guard !number.isEmpty, number.allSatisfy({ $0.isNumber || $0 == "." }), let v = Double(number) else {
                break
            }
            let nanos = v * nanosPerUnit
            guard nanos.isFinite, nanos < 1e15 else { throw NodeConfigError("duration '\(text)' is too long") }
            return .nanoseconds(Int64(nanos.rounded()))
        }
        throw NodeConfigError("'\(text)' is not a duration (write e.g. 50ms, 1.5s, 2m)")
    }

    /// Parses `MIN..MAX` (e.g. `150ms..300ms`) or a single duration (a range of one value).
    public static func parseDurationRange(_ text: String) throws(NodeConfigError) -> ClosedRange<Duration> {
        guard let r = text.firstRange(of: "..") else {
            let d = try parseDuration(text)
            return d ... d
        }
        let lo = try parseDuration(String(text[..<r.lowerBound]))
        let hi = try parseDuration(String(text[r.upperBound...]))
        if lo > hi { throw NodeConfigError("range '\(text)' is empty: \(format(lo)) is above \(format(hi))") }
        return lo ... hi
    }

    /// `250ms`, `1.5s`, `120us`: the shortest exact form for the usual values.
    public static func format(_ d: Duration) -> String {
        let ns = nanoseconds(d)
        if ns % 1_000_000_000 == 0 { return "\(ns / 1_000_000_000)s" }
        if ns % 1_000_000 == 0 { return "\(ns / 1_000_000)ms" }
        if ns % 1_000 == 0 { return "\(ns / 1_000)us" }
        return "\(ns)ns"
    }

    /// Whole nanoseconds of `d`.
    public static func nanoseconds(_ d: Duration) -> Int64 {
        let c = d.components
        return c.seconds * 1_000_000_000 + c.attoseconds / 1_000_000_000
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
