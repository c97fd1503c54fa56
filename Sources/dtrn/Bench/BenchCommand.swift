import ArgumentParser

/// `dtrn bench …`: reproducible speed measurements.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the speed of kernels, training and inference.",
        subcommands: [KernelBenchCommand.self, MLPStepBenchCommand.self, TrainBenchCommand.self, InferBenchCommand.self, ConflictSweepCommand.self],
        defaultSubcommand: KernelBenchCommand.self
    )
}
