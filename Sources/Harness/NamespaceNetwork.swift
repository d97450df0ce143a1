import Foundation
import RaftCore
import ClusterModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The private network of a netns cluster (`cluster N udp netns`, `raftsh --udp --netns`): one
/// network namespace per node and one for a bridge, all made by the harness and named with a
/// per-run prefix `raftsh-<pid>-<random>`.
///
/// Layout: the bridge namespace `PREFIX-br` holds bridge `br0` with the harness's address
/// 10.77.0.254/24 and one veth port `nN` per node; node N's namespace `PREFIX-nN` holds the other
/// end, `eth0`, with 10.77.0.N/24, and its raftd listens on 10.77.0.N:7000. These addresses exist
/// only inside the namespaces: the host's network is untouched, so clusters of concurrent runs
/// never meet. The harness's own sockets (clients, probes, control) are made inside the bridge
/// namespace (`udpSocket()`: the calling thread enters it just for `socket(2)`), so the shell
/// reaches every node without any address on the host.
///
/// Faults are kernel rules in the bridge namespace, where the nodes cannot see them:
/// `LinkRules.nftablesScript` (an nftables `netdev` table hooked at each port's ingress) makes
/// cuts, one-way blocks, loss and duplication; delay needs `tc netem` on each port's egress
/// (one htb class and netem qdisc per sender, chosen by a u32 match on the source address) and
/// is refused with a clear error where the kernel has no netem.
///
/// `destroy()` deletes every namespace (the veths and rules go with them); namespaces left by a
/// run that was killed are deleted by the next one (`removeStale()`), and a `CleanupGuardian`
/// deletes them when the shell dies.
public final class NamespaceNetwork {
    /// The prefix of every name this network uses.
    public let prefix: String
    public let nodeIDs: [NodeID]
    /// The bridge namespace, where the harness's sockets and the fault rules live.
    public var bridgeNamespace: String { "\(prefix)-br" }
    /// The port every node listens on, inside its own namespace.
    public static let nodePort = 7000
    /// The harness's address on the bridge.
    public static let harnessAddress = "10.77.0.254"
    /// The `ip`, `nft` and `tc` binaries.
    public let ipPath: String
    private let nftPath: String
    private let tcPath: String
    private var destroyed = false
    private var appliedRules: LinkRules?

    /// Node `id`'s namespace.
    public func namespace(of id: NodeID) -> String { "\(prefix)-n\(id)" }
    /// Node `id`'s address.
    public static func address(of id: NodeID) -> String { "10.77.0.\(id)" }
    /// Node `id`'s port on the bridge.
    public static func port(of id: NodeID) -> String { "n\(id)" }
    /// Every namespace this network made.
    public var namespaces: [String] { [bridgeNamespace] + nodeIDs.map(namespace(of:)) }

    /// Why namespaces cannot be made here (nil: they can): not root, or `ip`, `nft` or `tc` missing.
    public static func unavailableReason() -> String? {
        if geteuid() != 0 {
            return "a netns cluster needs root (it creates network namespaces, veth pairs, nftables rules and tc qdiscs); "
                + "run raftsh as root, or use a plain `udp` cluster"
        }
        let missing = [("ip", "iproute2"), ("nft", "nftables"), ("tc", "iproute2")].filter { findTool($0.0) == nil }
        if !missing.isEmpty {
            let packages = Set(missing.map(\.1)).sorted().joined(separator: " ")
            return "a netns cluster needs \(missing.map(\.0).joined(separator: ", ")) (install with `apt-get install \(packages)`)"
        }
        return nil
    }

    /// Make the namespaces, the bridge and the veth pairs for `nodeIDs` (1...64). On failure
    /// everything made so far is deleted and the error names the command that failed.
    public init(nodeIDs: [NodeID]) throws(ClusterError) {
        if let why = NamespaceNetwork.unavailableReason() { throw ClusterError(why) }
        guard nodeIDs.allSatisfy({ (1...64).contains($0) }) else { throw ClusterError("a netns cluster has node ids 1 to 64") }
        self.nodeIDs = nodeIDs
        self.ipPath = NamespaceNetwork.findTool("ip")!
        self.nftPath = NamespaceNetwork.findTool("nft")!
        self.tcPath = NamespaceNetwork.findTool("tc")!
        self.prefix = "raftsh-\(getpid())-\(String(UInt32.random(in: 0x1000...0xffff), radix: 16))"
        NamespaceNetwork.removeStale()
        do {
            try build()
        } catch {
            destroy()
            throw error
        }
    }

    deinit { destroy() }

    private func build() throws(ClusterError) {
        for ns in namespaces { try run(ipPath, ["netns", "add", ns]) }
        var bridge = ["link add br0 type bridge", "link set lo up", "link set br0 up",
                      "addr add \(NamespaceNetwork.harnessAddress)/24 dev br0"]
        for id in nodeIDs {
            let port = NamespaceNetwork.port(of: id)
            bridge += ["link add \(port) type veth peer name eth0 netns \(namespace(of: id))",
                       "link set \(port) master br0", "link set \(port) up"]
        }
        try run(ipPath, ["-n", bridgeNamespace, "-batch", "-"], input: bridge.joined(separator: "\n") + "\n")
        for id in nodeIDs {
            let node = ["link set lo up", "addr add \(NamespaceNetwork.address(of: id))/24 dev eth0", "link set eth0 up"]
            try run(ipPath, ["-n", namespace(of: id), "-batch", "-"], input: node.joined(separator: "\n") + "\n")
        }
        try apply(LinkRules(network: NetworkModel(latency: 0...0), nodes: nodeIDs))
    }

    /// Delete every namespace this network made. Safe to call twice.
    public func destroy() {
        guard !destroyed else { return }
        destroyed = true
        for ns in namespaces.reversed() { try? run(ipPath, ["netns", "delete", ns]) }
    }

    /// The arguments that start `executable` inside node `id`'s namespace (`ip netns exec`, which
    /// execs it in place: the child's pid is the program's).
    public func command(for id: NodeID, _ executable: String, _ arguments: [String]) -> (String, [String]) {
        (ipPath, ["netns", "exec", namespace(of: id), executable] + arguments)
    }

    /// A close-on-exec UDP socket inside the bridge namespace, bound to the harness's address on a
    /// port the kernel picks.
    public func udpSocket() throws(ClusterError) -> Int32 {
        let original = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)
        let target = open("/run/netns/\(bridgeNamespace)", O_RDONLY | O_CLOEXEC)
        defer {
            if original >= 0 { close(original) }
            if target >= 0 { close(target) }
        }
        guard original >= 0, target >= 0 else {
            throw ClusterError("cannot open the network namespace \(bridgeNamespace): \(String(cString: strerror(errno)))")
        }
        guard SystemCalls.setns(target, SystemCalls.newNetworkNamespace) == 0 else {
            throw ClusterError("cannot enter the network namespace \(bridgeNamespace): \(String(cString: strerror(errno)))")
        }
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        let socketErrno = errno
        // Back to where the thread was, whatever happened: it may be one of a pool's.
        if SystemCalls.setns(original, SystemCalls.newNetworkNamespace) != 0 {
            fatalError("cannot return to the original network namespace: \(String(cString: strerror(errno)))")
        }
        guard fd >= 0 else { throw ClusterError("socket() in \(bridgeNamespace): \(String(cString: strerror(socketErrno)))") }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        _ = inet_pton(AF_INET, NamespaceNetwork.harnessAddress, &addr.sin_addr)
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            let why = String(cString: strerror(errno))
            close(fd)
            throw ClusterError("cannot bind a socket to \(NamespaceNetwork.harnessAddress) in \(bridgeNamespace): \(why)")
        }
        return fd
    }

    /// Make `rules` the kernel's: the nftables table is replaced in one transaction; the netem
    /// qdiscs of each port whose delays changed are rebuilt. Throws (and leaves the rules that were
    /// in force) when a command fails, e.g. delay on a kernel without netem.
    public func apply(_ rules: LinkRules) throws(ClusterError) {
        if rules == appliedRules { return }
        let script = rules.nftablesScript(address: NamespaceNetwork.address(of:), port: NamespaceNetwork.port(of:))
        for id in nodeIDs {
            let want = rules.netemDelays(to: id)
            let have = appliedRules?.netemDelays(to: id) ?? [:]
            if want != have { try setDelays(want, to: id) }
        }
        try run(nftPath, ["-f", "-"], namespace: bridgeNamespace, input: script)
        appliedRules = rules
    }

    /// Rebuild the egress qdiscs of node `to`'s port: an htb root whose default class is plain,
    /// and per delayed sender a class with a netem qdisc, chosen by the sender's address.
    private func setDelays(_ delays: [NodeID: ClosedRange<UInt64>], to id: NodeID) throws(ClusterError) {
        let dev = NamespaceNetwork.port(of: id)
        try? run(tcPath, ["-n", bridgeNamespace, "qdisc", "del", "dev", dev, "root"])
        guard !delays.isEmpty else { return }
        var batch = ["qdisc add dev \(dev) root handle 1: htb default ffff r2q 1000000",
                     "class add dev \(dev) parent 1: classid 1:ffff htb rate 10gbit"]
        for from in delays.keys.sorted() {
            let d = delays[from]!
            let minor = String(from, radix: 16)
            let middle = (d.lowerBound + d.upperBound) / 2 / 1_000, jitter = (d.upperBound - d.lowerBound) / 2 / 1_000
            batch += ["class add dev \(dev) parent 1: classid 1:\(minor) htb rate 10gbit",
                      "qdisc add dev \(dev) parent 1:\(minor) handle \(String(from + 0x100, radix: 16)): netem delay \(middle)us \(jitter)us",
                      "filter add dev \(dev) parent 1: protocol ip prio 1 u32 match ip src \(NamespaceNetwork.address(of: from))/32 flowid 1:\(minor)"]
        }
        do {
            try run(tcPath, ["-n", bridgeNamespace, "-batch", "-"], input: batch.joined(separator: "\n") + "\n")
        } catch {
            try? run(tcPath, ["-n", bridgeNamespace, "qdisc", "del", "dev", dev, "root"])
            if error.message.contains("qdisc kind is unknown") {
                throw ClusterError("delay on a netns cluster needs the kernel's netem qdisc (sch_netem), which this kernel "
                                   + "lacks; cuts, loss and duplication work (nftables), or use a plain `udp` cluster for delay")
            }
            throw error
        }
    }

    /// Delete the namespaces of runs whose shell is gone: `raftsh-<pid>-…` with no process `pid`.
    public static func removeStale() {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/run/netns"),
              let ip = findTool("ip") else { return }
        let me = getpid()
        for name in names where name.hasPrefix("raftsh-") {
            let parts = name.split(separator: "-")
            guard parts.count >= 3, let pid = Int32(parts[1]), pid != me, !ProcessSupervisor.isAlive(pid) else { continue }
            _ = try? runTool(ip, ["netns", "delete", name], input: nil)
        }
    }

    /// The namespaces named with `raftsh-<pid>-` for this `pid` that exist now.
    public static func existing(ownedBy pid: pid_t) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/run/netns")) ?? []
        return names.filter { $0.hasPrefix("raftsh-\(pid)-") }.sorted()
    }

    // MARK: - Commands

    private func run(_ tool: String, _ args: [String], namespace: String? = nil, input: String? = nil) throws(ClusterError) {
        let (path, arguments) = namespace.map { (ipPath, ["netns", "exec", $0, tool] + args) } ?? (tool, args)
        try NamespaceNetwork.runTool(path, arguments, input: input)
    }

    /// Run a tool to its end; throws with its output if it fails.
    private static func runTool(_ path: String, _ args: [String], input: String?) throws(ClusterError) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        let inPipe = input.map { _ in Pipe() }
        p.standardInput = inPipe ?? FileHandle.nullDevice
        do { try p.run() } catch { throw ClusterError("cannot run \(path): \(error)") }
        if let inPipe, let input {
            inPipe.fileHandleForWriting.write(input.data(using: .utf8)!)
            try? inPipe.fileHandleForWriting.close()
        }
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            let command = ([URL(fileURLWithPath: path).lastPathComponent] + args).joined(separator: " ")
            throw ClusterError("`\(command)` failed (status \(p.terminationStatus)): "
                               + output.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    /// `name` in PATH, /usr/sbin or /sbin.
    static func findTool(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let dirs = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]
        for d in dirs {
            let candidate = "\(d)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
