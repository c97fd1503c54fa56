import ArgumentParser
import Foundation
import Models
import RecData
import Tensor
import Training

/// `dtrn train`: trains a model, checkpointing every epoch, and reports per-task metrics on
/// the test split with the best epoch's weights. With no arguments: DTRN on the built-in
/// synthetic data.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a multi-task model and report per-task AUC, GAUC and logloss on the test split.")

    @OptionGroup var options: RunOptions

    @Option(help: "The run folder for checkpoints and metrics.jsonl (default: runs/MODEL[-BACKBONE]).")
    var out: String?

    @Flag(help: "Continue the run in --out from its latest checkpoint.")
    var resume = false

    @Flag(help: "Print the test report as JSON instead of a table.")
    var json = false

    @Flag(help: "No progress output.")
    var quiet = false

    func run() throws {
        try reportingErrors {
            let (modelConfig, trainingConfig) = try options.configs()
            Parallelism.setThreadCount(trainingConfig.threads ?? ProcessInfo.processInfo.activeProcessorCount)
            let reporter = ProgressReporter(quiet: quiet)
            let source = try options.dataSource()
            let loaded = try source.load(reporter: reporter)
            let dataset = loaded.dataset
            let name = modelConfig.model == "dtrn" ? "dtrn-\(modelConfig.backbone)" : modelConfig.model
            let run = RunDirectory(URL(fileURLWithPath: out ?? "runs/\(name)"))
            let trainer = try Trainer(
                dataset: dataset, modelConfig: modelConfig, config: trainingConfig, dataSource: source.name,
                synthetic: source.isSynthetic ? source.synthetic : nil, run: run, reporter: reporter)
            if resume { try trainer.resume() }
            reporter.note("\(name): \(trainer.model.parameterCount) parameters; \(dataset.train.rowCount) training rows; run folder \(run.url.path)")
            try trainer.fit()
            let best = try RunDirectory.resolveCheckpoint(run.url.path)
            let model = try Checkpoint.read(best).loadModel(from: best)
            let report = Evaluator().evaluate(model, split: dataset.test, schema: dataset.schema, name: "test")
            if json {
                try printJSON(report)
            } else {
                print("\(name) on \(source.name), best epoch \(best.lastPathComponent):")
                print(report.table)
                if let reference = loaded.referenceTable { print(reference) }
            }
        }
    }
}
