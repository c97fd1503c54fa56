import ArgumentParser
import Foundation
import Tensor
import Training

/// `dtrn eval`: per-task metrics of a saved checkpoint on a split of its data.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a checkpoint: per-task AUC, GAUC, logloss, label rate and prediction mean.")

    @Option(help: "A checkpoint folder, or a run folder (its best checkpoint).")
    var checkpoint: String

    @Option(help: "The data (default: what the checkpoint was trained on).")
    var data: String?

    @OptionGroup var location: DataLocationOptions

    @Option(help: "The split: train, validation or test.")
    var split = "test"

    @Option(help: "Worker threads (default: all cores).")
    var threads: Int?

    @OptionGroup var precision: PrecisionOption

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Flag(help: "Print where the model routes instead: per task, its gates' weights averaged over the split (MMoE/PLE expert utilisation and entropy, DTRN's field importance), as JSON.")
    var explain = false

    @Option(help: "Write the routing explanation to this JSON file (and print the metrics as usual).")
    var explainOut: String?

    func run() throws {
        try reportingErrors {
            Parallelism.setThreadCount(threads ?? ProcessInfo.processInfo.activeProcessorCount)
            precision.apply()
            let folder = try RunDirectory.resolveCheckpoint(checkpoint)
            let saved = try Checkpoint.read(folder)
            let model = try saved.loadModel(from: folder)
            let source = DataSource(name: data ?? saved.dataSource, input: location.input, cache: location.cache,
                                    dataRoot: location.dataRoot,
                                    synthetic: saved.synthetic ?? .init())
            let loaded = try source.load(reporter: ProgressReporter(quiet: json || explain))
            guard loaded.dataset.schema == saved.schema else {
                throw TrainingError.data("the data's fields or vocabularies differ from those the checkpoint was trained on")
            }
            let splits = ["train": loaded.dataset.train, "validation": loaded.dataset.validation, "test": loaded.dataset.test]
            guard let rows = splits[split] else { throw ValidationError("--split must be train, validation or test") }
            if explain || explainOut != nil {
                let explanation = try RoutingExplanation.measure(model, name: saved.model.model, split: rows,
                                                                 schema: loaded.dataset.schema, splitName: split)
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                if let explainOut {
                    try encoder.encode(explanation).write(to: URL(fileURLWithPath: explainOut), options: .atomic)
                } else {
                    try printJSON(explanation)
                    return
                }
            }
            let report = Evaluator().evaluate(model, split: rows, schema: loaded.dataset.schema, name: split)
            if json {
                try printJSON(report)
            } else {
                print("\(saved.model.model) from \(folder.path):")
                print(report.table)
                if let reference = loaded.referenceTable { print(reference) }
            }
        }
    }
}
