import RaftCore
import KV
import Check
import ClusterModel

/// Draws a `Timeline` as inline SVG: a lane per node coloured by role and labelled with terms,
/// crash, restart and pause marks, cuts as bands, client operations as bars coloured by outcome,
/// and messages as arrows (in a group the page shows on demand). Every element a test counts has
/// a class: `lane`, `op`, `msg`, `mark`, `cut`.
struct TimelineSVG {
    let t: Timeline
    /// Left margin (labels), plot width, lane height.
    let left = 92.0, plotWidth: Double, laneHeight = 30.0, laneGap = 6.0, opRow = 13.0
    let top = 48.0

    init(_ timeline: Timeline, plotWidth: Double = 1400) {
        t = timeline
        self.plotWidth = plotWidth
    }

    /// Clients with operations, in increasing order.
    var clients: [ClientID] { Array(Set(t.operations.map(\.client))).sorted() }

    private var end: Timestamp { max(t.end, t.operations.map { $0.complete ?? $0.invoke }.max() ?? 0, 1) }

    func x(_ time: Timestamp) -> Double { left + Double(time) / Double(end) * plotWidth }

    func laneY(_ index: Int) -> Double { top + Double(index) * (laneHeight + laneGap) }

    var opsTop: Double { laneY(t.nodes.count) + (t.nodes.isEmpty ? 0 : 22) }

    var height: Double { opsTop + Double(clients.count) * (opRow + 3) + 40 }

    var width: Double { left + plotWidth + 30 }

    /// The whole `<svg>` element.
    func render() -> String {
        var o = "<svg id=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(f(width))\" height=\"\(f(height))\" viewBox=\"0 0 \(f(width)) \(f(height))\" font-family=\"sans-serif\" font-size=\"11\">\n"
        o += defs()
        o += axis()
        o += networkBands()
        for (i, node) in t.nodes.enumerated() { o += lane(node, index: i) }
        o += marks()
        o += operations()
        o += messages()
        if let h = t.highlight {
            o += "<line class=\"highlight\" x1=\"\(f(x(h)))\" y1=\"\(f(top - 14))\" x2=\"\(f(x(h)))\" y2=\"\(f(height - 24))\" stroke=\"#d00\" stroke-width=\"1.5\" stroke-dasharray=\"5,3\"/>\n"
            o += "<text x=\"\(f(x(h) + 4))\" y=\"\(f(top - 16))\" fill=\"#d00\">failed \(TimeFormat.instant(h))</text>\n"
        }
        o += "</svg>\n"
        return o
    }

    private func defs() -> String {
        """
        <defs>
        <pattern id="down" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#555"/><line x1="0" y1="0" x2="0" y2="6" stroke="#333" stroke-width="3"/></pattern>
        <pattern id="paused" width="8" height="8" patternUnits="userSpaceOnUse"><rect width="8" height="8" fill="#cfd8e3"/><rect width="3" height="8" fill="#9fb0c4"/></pattern>
        <pattern id="cut" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(-45)"><line x1="0" y1="0" x2="0" y2="8" stroke="#c0392b" stroke-width="2" stroke-opacity="0.55"/></pattern>
        <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="5" markerHeight="5" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="context-stroke"/></marker>
        </defs>

        """
    }

    private func axis() -> String {
        var o = "<g class=\"axis\" fill=\"#444\">\n"
        let seconds = Double(end) / 1e9
        let candidates: [Double] = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600]
        let step = candidates.first { seconds / $0 <= 16 } ?? 1200
        var s = 0.0
        let bottom = height - 30
        while s <= seconds + 1e-9 {
            let px = left + s / seconds * plotWidth
            o += "<line x1=\"\(f(px))\" y1=\"\(f(top - 8))\" x2=\"\(f(px))\" y2=\"\(f(bottom))\" stroke=\"#e4e4e4\"/>"
            o += "<text x=\"\(f(px))\" y=\"\(f(top - 11))\" text-anchor=\"middle\">\(axisLabel(s, step))</text>\n"
            s += step
        }
        o += "</g>\n"
        return o
    }

    private func axisLabel(_ s: Double, _ step: Double) -> String {
        if step < 1 { return TimeFormat.fixed(s * 1000, 0) + "ms" }
        return TimeFormat.fixed(s, 0) + "s"
    }

    /// Bands for the network's phases with cuts or faults: a label row above the lanes and a hatched
    /// overlay on the lanes of nodes cut off from a majority.
    private func networkBands() -> String {
        guard !t.nodes.isEmpty else { return "" }
        var o = "<g class=\"network\">\n"
        for (i, phase) in t.network.enumerated() where !phase.isClear {
            let from = phase.time, to = i + 1 < t.network.count ? t.network[i + 1].time : end
            let x0 = x(from), x1 = max(x(to), x0 + 1.5)
            let bandTop = top - 4, bandBottom = laneY(t.nodes.count) - laneGap + 4
            o += "<rect class=\"cut\" x=\"\(f(x0))\" y=\"\(f(bandTop))\" width=\"\(f(x1 - x0))\" height=\"\(f(bandBottom - bandTop))\" fill=\"#f6d7a7\" fill-opacity=\"0.35\" stroke=\"#e0a040\" stroke-opacity=\"0.6\"><title>\(xmlEscape(TimeFormat.instant(from) + " .. " + TimeFormat.instant(to) + ": " + phase.summary))</title></rect>\n"
            let label = phase.summary
            if x1 - x0 > 40 {
                o += "<text x=\"\(f(x0 + 3))\" y=\"\(f(laneY(t.nodes.count) + 10))\" fill=\"#a05a00\" font-size=\"10\">\(xmlEscape(clip(label, toWidth: x1 - x0 - 6)))</text>\n"
            }
            for (k, node) in t.nodes.enumerated() where phase.cutOff.contains(node) {
                o += "<rect x=\"\(f(x0))\" y=\"\(f(laneY(k)))\" width=\"\(f(x1 - x0))\" height=\"\(f(laneHeight))\" fill=\"url(#cut)\"><title>node \(node) cut off from a majority</title></rect>\n"
            }
        }
        o += "</g>\n"
        return o
    }

    private func lane(_ node: NodeID, index: Int) -> String {
        let y = laneY(index)
        var o = "<g class=\"lane\" data-node=\"\(node)\">\n"
        o += "<text x=\"8\" y=\"\(f(y + laneHeight / 2 + 4))\" font-size=\"12\" font-weight=\"bold\">node \(node)</text>\n"
        o += "<rect x=\"\(f(left))\" y=\"\(f(y))\" width=\"\(f(plotWidth))\" height=\"\(f(laneHeight))\" fill=\"#fafafa\" stroke=\"#ddd\"/>\n"
        let states = t.states.filter { $0.node == node }
        var lastTerm: Term?
        for (i, s) in states.enumerated() {
            let to = i + 1 < states.count ? states[i + 1].time : end
            let x0 = x(s.time), x1 = x(to)
            guard x1 > x0 || i == states.count - 1 else { continue }
            let w = max(x1 - x0, 0.5)
            let (fill, name) = style(s)
            o += "<rect class=\"span\" x=\"\(f(x0))\" y=\"\(f(y + 2))\" width=\"\(f(w))\" height=\"\(f(laneHeight - 4))\" fill=\"\(fill)\"><title>node \(node) \(name), term \(s.term), \(TimeFormat.instant(s.time)) .. \(TimeFormat.instant(to))</title></rect>\n"
            let label = s.role == .leader ? "leader t\(s.term)" : "t\(s.term)"
            if s.process != .down, s.term != lastTerm || s.role == .leader, w > Double(label.count) * 6 + 4 {
                o += "<text x=\"\(f(x0 + 3))\" y=\"\(f(y + laneHeight / 2 + 4))\" font-size=\"10\" fill=\"\(s.role == .leader ? "#fff" : "#333")\">\(label)</text>\n"
            }
            if s.process != .down { lastTerm = s.term }
        }
        o += "</g>\n"
        return o
    }

    /// The fill and the name of a node's state.
    private func style(_ s: Timeline.State) -> (String, String) {
        switch s.process {
        case .down: return ("url(#down)", "down")
        case .paused: return ("url(#paused)", "paused")
        case .up:
            switch s.role {
            case .leader?: return ("#2e7d32", "leader")
            case .candidate?: return ("#ef6c00", "candidate")
            case .preCandidate?: return ("#fbc02d", "precandidate")
            case .follower?, nil: return ("#90caf9", "follower")
            }
        }
    }

    private func marks() -> String {
        var o = "<g class=\"marks\">\n"
        for m in t.marks {
            guard let i = t.nodes.firstIndex(of: m.node) else { continue }
            let cx = x(m.time), cy = laneY(i) + laneHeight / 2
            let (glyph, color) = switch m.kind {
            case .crash: ("✕", "#c62828")
            case .restart: ("▲", "#1b5e20")
            case .pause: ("❚❚", "#37474f")
            case .resume: ("▶", "#37474f")
            }
            o += "<g class=\"mark\" data-kind=\"\(m.kind.rawValue)\"><circle cx=\"\(f(cx))\" cy=\"\(f(cy))\" r=\"8\" fill=\"#fff\" stroke=\"\(color)\"/><text x=\"\(f(cx))\" y=\"\(f(cy + 4))\" text-anchor=\"middle\" font-size=\"10\" fill=\"\(color)\">\(glyph)</text><title>\(m.kind.rawValue) node \(m.node) \(TimeFormat.instant(m.time))</title></g>\n"
        }
        o += "</g>\n"
        return o
    }

    private func operations() -> String {
        var o = "<g class=\"operations\">\n"
        if !clients.isEmpty {
            o += "<text x=\"8\" y=\"\(f(opsTop - 6))\" font-size=\"12\" font-weight=\"bold\">clients</text>\n"
        }
        let rowOf = Dictionary(uniqueKeysWithValues: clients.enumerated().map { ($1, $0) })
        for (k, c) in clients.enumerated() {
            o += "<text x=\"8\" y=\"\(f(opsTop + Double(k) * (opRow + 3) + opRow - 3))\" font-size=\"9\" fill=\"#666\">client \(c)</text>\n"
        }
        for op in t.operations {
            let row = rowOf[op.client]!
            let y = opsTop + Double(row) * (opRow + 3)
            let x0 = x(op.invoke), x1 = x(op.complete ?? end)
            let (fill, outcome) = opStyle(op)
            let label = op.op.sourceText
            let title = "#\(op.id) client \(op.client): \(label) -> \(outcome), \(TimeFormat.instant(op.invoke)) .. \(op.complete.map(TimeFormat.instant) ?? "never answered")"
            let dash = op.complete == nil ? " stroke=\"#a00\" stroke-dasharray=\"3,2\"" : ""
            o += "<rect class=\"op\" data-outcome=\"\(outcome)\" x=\"\(f(x0))\" y=\"\(f(y))\" width=\"\(f(max(x1 - x0, 1.5)))\" height=\"\(f(opRow))\" rx=\"2\" fill=\"\(fill)\"\(dash)><title>\(xmlEscape(title))</title></rect>\n"
            if x1 - x0 > 46 {
                o += "<text x=\"\(f(x0 + 2))\" y=\"\(f(y + opRow - 3))\" font-size=\"9\" fill=\"#fff\">\(xmlEscape(clip(label, toWidth: x1 - x0 - 4)))</text>\n"
            }
        }
        o += "</g>\n"
        return o
    }

    /// Green for ok, red for a certain failure, orange for an unknown outcome.
    private func opStyle(_ op: HistoryOperation) -> (String, String) {
        switch op.outcome {
        case .ok(.value(let v)): return ("#43a047", "read " + (v ?? "none"))
        case .ok: return ("#43a047", "ok")
        case .fail: return ("#e53935", "fail")
        case .unknown: return ("#fb8c00", op.complete == nil ? "unanswered" : "unknown")
        }
    }

    private func messages() -> String {
        guard t.messagesRecorded else { return "" }
        var o = "<g id=\"messages\" style=\"display:none\">\n"
        let laneIndex = Dictionary(uniqueKeysWithValues: t.nodes.enumerated().map { ($1, $0) })
        for m in t.messages {
            guard let a = laneIndex[m.from], let b = laneIndex[m.to] else { continue }
            let y0 = laneY(a) + laneHeight / 2, y1 = laneY(b) + laneHeight / 2
            let color = messageColor(m.kind)
            let title = "<title>\(xmlEscape(TimeFormat.instant(m.sent) + " " + m.label))</title>"
            if let arrives = m.arrives {
                o += "<line class=\"msg\" x1=\"\(f(x(m.sent)))\" y1=\"\(f(y0))\" x2=\"\(f(x(arrives)))\" y2=\"\(f(y1))\" stroke=\"\(color)\" stroke-width=\"0.8\" marker-end=\"url(#arrow)\">\(title)</line>\n"
            } else {
                let mid = (y0 + y1) / 2
                o += "<line class=\"msg lost\" x1=\"\(f(x(m.sent)))\" y1=\"\(f(y0))\" x2=\"\(f(x(m.sent) + 4))\" y2=\"\(f(mid))\" stroke=\"\(color)\" stroke-width=\"0.8\" stroke-dasharray=\"2,1\">\(title)</line>\n"
            }
        }
        o += "</g>\n"
        return o
    }

    private func messageColor(_ k: Message.Kind) -> String {
        switch k {
        case .preVote, .preVoteResponse: return "#b8860b"
        case .vote, .voteResponse: return "#e65100"
        case .append, .appendResponse: return "#1565c0"
        case .heartbeat, .heartbeatResponse: return "#9e9e9e"
        case .snapshot, .snapshotResponse: return "#6a1b9a"
        case .timeoutNow: return "#c62828"
        }
    }

    /// `text` cut to fit `width` pixels at about 5.5 pixels a character.
    private func clip(_ text: String, toWidth width: Double) -> String {
        let n = max(Int(width / 5.5), 1)
        return text.count <= n ? text : String(text.prefix(max(n - 1, 1))) + "…"
    }

    func f(_ v: Double) -> String { TimeFormat.fixed(v, 1) }
}
