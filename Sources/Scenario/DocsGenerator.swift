/// Writes docs/scenario-language.md from `CommandTable` and the shared prose,
/// so the reference and the parser cannot drift. A test compares the file with
/// `markdown()`; `RAFTSH_REGEN_DOCS=1 swift test --filter ScenarioTests`
/// rewrites it.
public enum DocsGenerator {
    /// The example scenario shown at the end of the docs (it is also parsed by the tests).
    public static let exampleScenario = """
        # The old leader ends up in the minority; it must not serve a stale read.
        cluster 5 seed 7
        wait until leader within 2s
        put x 1
        let L = leader
        partition $L,follower | rest
        put x 2                          # the majority side commits
        expect get x == 2
        expect get x via $L fails        # the old leader cannot confirm leadership
        heal
        wait until converged within 3s
        expect applied x == 2 on all
        expect linearizable

        """

    /// The whole markdown document.
    public static func markdown() -> String {
        var out = """
            # The raftsh scenario language

            <!-- Generated from Sources/Scenario/CommandTable.swift by DocsGenerator. Do not edit by hand: \
            change the table, then run `RAFTSH_REGEN_DOCS=1 swift test --filter ScenarioTests`. -->

            The same language is typed at the `raftsh>` prompt and stored in `.scn` files \
            that `raftsh run` executes. A simulated run is fully determined by the scenario and the seed.

            ## Lines, comments and blocks

            \(LanguageReference.lines)

            ## Keys and values

            \(LanguageReference.values)

            ## Node selectors

            \(LanguageReference.selectors)

            ## Durations, ranges and percentages

            \(LanguageReference.durations)

            ## Variables

            \(LanguageReference.variables)

            ## Conditions

            \(LanguageReference.conditions)


            """
        out += "| condition | meaning |\n|---|---|\n"
        for spec in CommandTable.specs(forCommand: "expect") {
            out += "| `\(escapeTable(String(spec.synopsis.dropFirst("expect ".count))))` | \(escapeTable(spec.summary)) |\n"
        }
        out += "\n## Commands\n\n"
        out += "| command | summary |\n|---|---|\n"
        for spec in CommandTable.all {
            out += "| [`\(spec.name)`](#\(anchor(spec.name))) | \(escapeTable(spec.summary)) |\n"
        }
        for category in CommandCategory.allCases {
            let specs = CommandTable.all.filter { $0.category == category }
            guard !specs.isEmpty else { continue }
            out += "\n### \(category.title)\n"
            for spec in specs {
                out += "\n#### \(spec.name)\n\n"
                out += "```\n\(spec.synopsis)\n```\n\n"
                out += spec.summary + "\n\n"
                out += "Example:\n\n```\n\(spec.example)\n```\n"
            }
        }
        out += "\n## Example scenario\n\n`scenarios/stale-leader-no-stale-read.scn`:\n\n```\n\(exampleScenario)```\n"
        return out
    }

    /// The GitHub-style anchor of a heading.
    static func anchor(_ heading: String) -> String {
        String(heading.lowercased().map { $0 == " " ? "-" : $0 }.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
    }

    static func escapeTable(_ text: String) -> String {
        text.split(separator: "|", omittingEmptySubsequences: false).joined(separator: "\\|")
    }
}
