import Check
import ClusterModel

/// One self-contained HTML page showing a `Timeline` (inline SVG and a small script; nothing is
/// loaded from the network): what `timeline FILE.html`, `raftsh run --timeline` and
/// `raftsh check --timeline` write, and what explorer findings get next to their scenario.
///
/// When its script has run, the page fills `#render-status` with `data-lanes`, `data-operations`
/// and `data-messages` (the counts it drew) and the text `rendered`; a script error sets
/// `data-error` instead. Tests read these back from headless Chromium's DOM.
public enum TimelineHTML {
    /// The page for `timeline`; `showMessages` shows the message arrows from the start (they are
    /// in the page whenever they were recorded, behind a checkbox).
    public static func render(_ timeline: Timeline, showMessages: Bool = false) -> String {
        let svg = TimelineSVG(timeline)
        let ops = timeline.operations
        let ok = ops.filter { if case .ok = $0.outcome { return true }; return false }.count
        let failed = ops.filter { $0.outcome == .fail }.count
        let unknown = ops.count - ok - failed
        var o = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>\(xmlEscape(timeline.title)) — raftsh timeline</title>
            <style>
            body { font-family: sans-serif; margin: 16px; color: #222; }
            h1 { font-size: 18px; margin: 0 0 4px 0; }
            .notes { font-size: 13px; color: #444; margin: 2px 0; white-space: pre-wrap; }
            .legend { font-size: 12px; margin: 8px 0; display: flex; flex-wrap: wrap; gap: 14px; align-items: center; }
            .legend span.sw { display: inline-block; width: 14px; height: 10px; margin-right: 4px; vertical-align: middle; border: 1px solid #999; }
            .controls { font-size: 13px; margin: 6px 0 10px 0; }
            .scroll { overflow-x: auto; border: 1px solid #ddd; }
            #render-status { font-size: 10px; color: #999; margin-top: 4px; }
            </style>
            </head>
            <body>
            <h1>\(xmlEscape(timeline.title))</h1>

            """
        for note in timeline.notes { o += "<div class=\"notes\">\(xmlEscape(note))</div>\n" }
        o += "<div class=\"notes\">\(timeline.nodes.count) node\(timeline.nodes.count == 1 ? "" : "s"), \(TimeFormat.seconds(timeline.end)), \(ops.count) client operation\(ops.count == 1 ? "" : "s") (\(ok) ok, \(failed) failed, \(unknown) unknown)\(timeline.messagesRecorded ? ", \(timeline.messages.count) messages" : "")</div>\n"
        o += """
            <div class="legend">
            <span><span class="sw" style="background:#2e7d32"></span>leader</span>
            <span><span class="sw" style="background:#ef6c00"></span>candidate</span>
            <span><span class="sw" style="background:#fbc02d"></span>precandidate</span>
            <span><span class="sw" style="background:#90caf9"></span>follower</span>
            <span><span class="sw" style="background:#555"></span>down</span>
            <span><span class="sw" style="background:#9fb0c4"></span>paused</span>
            <span><span class="sw" style="background:#f6d7a7"></span>network cut or fault</span>
            <span>✕ crash &nbsp; ▲ restart &nbsp; ❚❚ pause &nbsp; ▶ resume</span>
            <span>operations: <span class="sw" style="background:#43a047"></span>ok <span class="sw" style="background:#e53935"></span>failed <span class="sw" style="background:#fb8c00"></span>unknown</span>
            </div>
            <div class="controls">

            """
        if timeline.messagesRecorded {
            o += "<label><input type=\"checkbox\" id=\"show-messages\"\(showMessages ? " checked" : "")> show messages (\(timeline.messages.count))</label> &nbsp; "
        }
        o += "<label>zoom <input type=\"range\" id=\"zoom\" min=\"1\" max=\"12\" step=\"0.5\" value=\"1\"></label></div>\n"
        o += "<div class=\"scroll\">\n" + svg.render() + "</div>\n"
        o += "<div id=\"render-status\" data-expected-lanes=\"\(timeline.nodes.count)\" data-expected-operations=\"\(ops.count)\"></div>\n"
        o += script
        o += "</body>\n</html>\n"
        return o
    }

    private static let script = """
        <script>
        (function () {
          var status = document.getElementById('render-status');
          window.addEventListener('error', function (e) { status.setAttribute('data-error', String(e.message)); });
          var svg = document.getElementById('timeline');
          var baseWidth = svg.width.baseVal.value, baseHeight = svg.height.baseVal.value;
          var messages = document.getElementById('messages');
          var box = document.getElementById('show-messages');
          function showMessages() { if (messages) { messages.style.display = box && box.checked ? '' : 'none'; } }
          if (box) { box.addEventListener('change', showMessages); }
          showMessages();
          document.getElementById('zoom').addEventListener('input', function (e) {
            svg.setAttribute('width', baseWidth * Number(e.target.value));
            svg.setAttribute('height', baseHeight * Number(e.target.value));
          });
          status.setAttribute('data-lanes', svg.querySelectorAll('g.lane').length);
          status.setAttribute('data-operations', svg.querySelectorAll('rect.op').length);
          status.setAttribute('data-messages', svg.querySelectorAll('.msg').length);
          status.textContent = 'rendered';
        })();
        </script>

        """
}
