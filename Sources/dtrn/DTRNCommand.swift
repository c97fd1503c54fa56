import ArgumentParser

/// The `dtrn` command line: data preparation, training, evaluation, serving and benchmarks.
@main
struct DTRNCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dtrn",
        abstract: "Multi-task recommendation with DTRN and the MTL baselines.",
        subcommands: [BenchCommand.self, DataCommand.self],
        defaultSubcommand: BenchCommand.self
    )
}
