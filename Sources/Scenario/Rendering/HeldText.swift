import RaftCore
import ClusterModel

/// The answers of `release`, `drop held` and `held`.
enum HeldText {
    /// `released 2 messages on 1 -> 2` and the messages, one per line; or `nothing held on 1 -> 2`.
    static func summary(_ messages: [HeldMessage], verb: String, links: [ClusterModel.Link]) -> String {
        let on = links.isEmpty ? "any link" : FaultText.links(links)
        guard !messages.isEmpty else { return "nothing held on \(on); not holding there now" }
        let head = "\(verb) \(messages.count) message\(messages.count == 1 ? "" : "s") on \(on)"
        return ([head] + messages.map { "  \($0)" }).joined(separator: "\n")
    }

    /// Each link that holds: the kinds it holds and its messages; or `nothing held`.
    static func listing(_ c: any MessageControl) -> String {
        let holds = c.holds
        var links = holds.map(\.link)
        for m in c.heldMessages(on: nil) where !links.contains(ClusterModel.Link(m.from, m.to)) { links.append(ClusterModel.Link(m.from, m.to)) }
        guard !links.isEmpty else { return "nothing held" }
        var out: [String] = []
        for link in links.sorted() {
            let kinds = holds.first { $0.link == link }?.kinds
            let what = kinds.map { $0.sorted().joined(separator: ",") } ?? "every kind"
            let held = c.heldMessages(on: [link])
            out.append("\(link)  holding \(what)  \(held.count) held")
            out += held.map { "  \($0)" }
        }
        return out.joined(separator: "\n")
    }
}
