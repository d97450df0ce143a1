/// A command whose line opens a block: the parser gives it the statements of the following
/// lines up to the matching `end` as its body (`repeat N` ... `end`).
public protocol NestingCommand: ScenarioCommand {
    /// The statements of the block, in order.
    var body: [Statement] { get set }
}
