import Testing
import Scenario

/// `cluster N udp netns`: parsed, printed back, and refused without `udp`.
@Suite struct NetnsClusterLineTests {
    @Test func udpNetnsParsesAndPrintsBack() throws {
        let script = try Parser.parse("cluster 3 udp netns seed 4", file: "t.scn")
        guard let cfg = (script.statements.first?.command as? ClusterCommand)?.config else {
            Issue.record("not a cluster line: \(script.statements)")
            return
        }
        #expect(cfg.transport == .udp && cfg.netns && cfg.nodes == 3 && cfg.seed == 4)
        #expect(cfg.sourceText == "cluster 3 seed 4 udp netns")
        let plain = try Parser.parse("cluster 3 udp", file: "t.scn")
        guard let udp = (plain.statements.first?.command as? ClusterCommand)?.config else { return }
        #expect(!udp.netns)
    }

    @Test func netnsWithoutUDPIsAnError() {
        #expect {
            _ = try Parser.parse("cluster 3 netns", file: "t.scn")
        } throws: { error in
            "\(error)".contains("write 'udp netns'")
        }
        #expect {
            _ = try Parser.parse("cluster 3 udp netns netns", file: "t.scn")
        } throws: { error in
            "\(error)".contains("'netns' given twice")
        }
    }
}
