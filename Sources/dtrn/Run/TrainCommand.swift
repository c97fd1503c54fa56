import ArgumentParser
import Distributed
import Foundation
import Models
import RecData
import Tensor
import Training

/// `dtrn train`: trains a model, checkpointing every epoch, and reports per-task metrics on
/// the test split with the best epoch's weights. With no arguments: DTRN on the built-in
/// synthetic data. Under `mpirun -np N` the N processes train one model data-parallel.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a multi-task model and report per-task AUC, GAUC and logloss on the test split.",
        discussion: """
        Data-parallel on N processes (one machine or several, see docs/distributed.md):
          mpirun -np N dtrn train --data census-income --preset rechub --model mmoe
        The global batch is --batch-size, split over the processes; the result is that of one process.
        """)

    @OptionGroup var options: RunOptions

    @Option(help: "The run folder for checkpoints and metrics.jsonl (default: runs/MODEL[-BACKBONE]).")
    var out: String?

    @Flag(help: "Continue the run in --out from its latest checkpoint.")
    var resume = false

    @Flag(help: "Print the test report as JSON instead of a table.")
    var json = false

    @Flag(help: "No progress output.")
    var quiet = false

    @Option(help: "Under mpirun: seconds one process waits in a collective before giving the job up.")
    var collectiveTimeout = 600

    func run() throws {
        try reportingErrors {
            let (modelConfig, trainingConfig) = try options.configs()
            guard collectiveTimeout > 0 else { throw ValidationError("--collective-timeout must be positive") }
            let group = ProcessGroup.join(collectiveTimeout: .seconds(collectiveTimeout))
            let threads = trainingConfig.threads ?? group.defaultThreadCount
            Parallelism.setThreadCount(threads)
            PrecisionOption.apply(trainingConfig.precision ?? .fp32)
            let reporter = ProgressReporter(quiet: quiet || !group.isLeader)
            let source = try options.dataSource()
            let loaded = try group.leaderFirst { try source.load(reporter: reporter) }
            let dataset = loaded.dataset
            let name = modelConfig.model == "dtrn" ? "dtrn-\(modelConfig.backbone)" : modelConfig.model
            let run = RunDirectory(URL(fileURLWithPath: out ?? "runs/\(name)"))
            let trainer = try Trainer(
                dataset: dataset, modelConfig: modelConfig, config: trainingConfig, dataSource: source.name,
                synthetic: source.isSynthetic ? source.synthetic : nil, run: run, reporter: reporter, group: group)
            if resume { try trainer.resume() }
            reporter.note("\(name): \(trainer.model.parameterCount) parameters; \(dataset.train.rowCount) training rows; run folder \(run.url.path)")
            if group.isDistributed {
                let batch = trainingConfig.batchSize, shares = (0..<group.size).map { BatchShard(index: $0, count: group.size) }
                reporter.note("data-parallel: \(group.size) processes × \(threads) threads; global batch \(batch) = "
                              + shares.map { "\($0.part(of: batch).count)" }.joined(separator: " + ") + " rows per process")
            }
            try trainer.fit()
            let best = try RunDirectory.resolveCheckpoint(run.url.path)
            let model = try Checkpoint.read(best).loadModel(from: best)
            let report = Evaluator(group: group).evaluate(model, split: dataset.test, schema: dataset.schema, name: "test")
            guard group.isLeader else { return }
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
