import ArgumentParser

/// The `dtrn` command line: data preparation, training, evaluation, serving and benchmarks.
@main
struct DTRNCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dtrn",
        abstract: "Multi-task recommendation with DTRN and the MTL baselines.",
        subcommands: [TrainCommand.self, EvalCommand.self, PredictCommand.self, ExportCommand.self, ServeCommand.self, ReportCommand.self, ModelsCommand.self, DataCommand.self, BenchCommand.self],
        defaultSubcommand: TrainCommand.self
    )
}
