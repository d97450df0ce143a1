/// Every command and condition of the language, in the order `help` and the docs list them.
/// `CommandTable`, the parser, `help`, completion and `DocsGenerator` all read these two lists:
/// adding a command (or a condition) is its own file plus one line here.
public enum CommandRegistry {
    /// The command types, in table order.
    public static let commands: [any ScenarioCommand.Type] = [
        // Cluster
        ClusterCommand.self,
        // Client operations
        PutCommand.self,
        GetCommand.self,
        DeleteCommand.self,
        CasCommand.self,
        AppendCommand.self,
        // Faults
        FailCommand.self,
        RestartCommand.self,
        PauseCommand.self,
        ResumeCommand.self,
        PartitionCommand.self,
        IsolateCommand.self,
        BlockCommand.self,
        HealCommand.self,
        DropCommand.self,
        DuplicateCommand.self,
        DelayCommand.self,
        // Membership
        AddNodeCommand.self,
        PromoteCommand.self,
        RemoveNodeCommand.self,
        TransferCommand.self,
        // Time
        WaitCommand.self,
        // Message control
        HoldCommand.self,
        ReleaseCommand.self,
        DropHeldCommand.self,
        HeldCommand.self,
        StepCommand.self,
        // Assertions (one row per condition, from `conditions`)
        ExpectCommand.self,
        // Workload
        WorkloadCommand.self,
        ReportCommand.self,
        // Inspection and control
        StatusCommand.self,
        SnapshotCommand.self,
        FaultsCommand.self,
        LogCommand.self,
        TraceCommand.self,
        HistoryCommand.self,
        TimelineCommand.self,
        EchoCommand.self,
        HelpCommand.self,
        LetCommand.self,
        RepeatCommand.self,
        SaveCommand.self,
        QuitCommand.self,
    ]

    /// The condition types of `expect` and `wait until`, in table order.
    public static let conditions: [any ScenarioCondition.Type] = [
        LeaderCondition.self,
        NoLeaderCondition.self,
        GetCondition.self,
        PutFailsCondition.self,
        CasFailsCondition.self,
        RoleCondition.self,
        TermCondition.self,
        ConvergedCondition.self,
        AppliedCondition.self,
        SnapshotCondition.self,
        LinearizableCondition.self,
        InvariantsCondition.self,
        UnansweredCondition.self,
        MetricCondition.self,
        HeldCondition.self,
        MembersCondition.self,
        LearnersCondition.self,
    ]

    /// The command type a line starting with `word` (then `next`) is parsed by: the type with a
    /// row named `word next` (`drop held`), else the first type with rows for `word`.
    static func command(for word: String, next: String? = nil) -> (any ScenarioCommand.Type)? {
        if let next, let type = commandsByName[word + " " + next] { return type }
        return commandsByWord[word]
    }

    /// The condition type a condition starting with `word` is parsed by.
    static func condition(for word: String) -> (any ScenarioCondition.Type)? {
        conditionsByWord[word]
    }

    /// The words that may start a condition, in table order.
    static let conditionWords: [String] = conditions.compactMap { $0.spec.formWord }

    /// The command words that open a block closed by `end` (`repeat`).
    static let blockWords: Set<String> = Set(commands.compactMap { type in
        type is any NestingCommand.Type ? type.specs.first?.commandWord : nil
    })

    private static let commandsByWord: [String: any ScenarioCommand.Type] = {
        var table: [String: any ScenarioCommand.Type] = [:]
        for type in commands {
            for spec in type.specs where table[spec.commandWord] == nil { table[spec.commandWord] = type }
        }
        return table
    }()

    private static let commandsByName: [String: any ScenarioCommand.Type] = {
        var table: [String: any ScenarioCommand.Type] = [:]
        for type in commands {
            for spec in type.specs where spec.formWord != nil && table[spec.name] == nil { table[spec.name] = type }
        }
        return table
    }()

    private static let conditionsByWord: [String: any ScenarioCondition.Type] = {
        var table: [String: any ScenarioCondition.Type] = [:]
        for type in conditions {
            if let word = type.spec.formWord { table[word] = type }
        }
        return table
    }()
}
