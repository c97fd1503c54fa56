import ArgumentParser
import Foundation
import Models
import RecData
import Tensor
import Training

/// `dtrn bench conflict-sweep`: every model of the comparison on the synthetic data at
/// several task-conflict levels and seeds, written as a Markdown table of per-task test AUC
/// (mean ± std over seeds) beside the data's oracle and learnable-ceiling AUCs.
struct ConflictSweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conflict-sweep",
        abstract: "Per-task AUC of the baselines, DTRN and its ablations across synthetic task conflict levels.")

    @Option(help: "Conflict levels.")
    var conflicts: [Double] = [0, 0.5, 1]

    @Option(help: "Training seeds (the data's seed stays fixed).")
    var seeds: [UInt64] = [1, 2, 3]

    @Option(help: "Epochs per run.")
    var epochs = 2

    @Option(help: "Synthetic training rows (default: the generator's default).")
    var rows: Int?

    @Option(help: "Variants to run (default: all of the comparison).")
    var variants: [String] = Variant.all.map(\.name)

    @Option(help: "The Markdown file to write.")
    var out = "docs/conflict-sweep.md"

    @Option(help: "Worker threads (default: all cores).")
    var threads: Int?

    /// One column of the comparison: a name and how it changes the default model config.
    struct Variant {
        var name: String
        var configure: @Sendable (inout ModelConfig) -> Void

        static let all: [Variant] = [
            Variant(name: "single-task") { $0.model = "single-task" },
            Variant(name: "shared-bottom") { $0.model = "shared-bottom" },
            Variant(name: "mmoe") { $0.model = "mmoe" },
            Variant(name: "ple") { $0.model = "ple" },
            Variant(name: "dtrn-towers") { $0.backbone = "towers" },
            Variant(name: "dtrn+mmoe") { $0.backbone = "mmoe" },
            Variant(name: "dtrn+ple") { $0.backbone = "ple" },
            Variant(name: "dtrn-no-tim") { $0.taskSpecificInterest = false },
            Variant(name: "dtrn-no-trm") { $0.representationRefinement = false },
            Variant(name: "dtrn-separate-encoders") { $0.separateEncoders = true },
        ]
    }

    func run() throws {
        try reportingErrors {
            Parallelism.setThreadCount(threads ?? ProcessInfo.processInfo.activeProcessorCount)
            let chosen = try variants.map { name in
                guard let v = Variant.all.first(where: { $0.name == name }) else {
                    throw ValidationError("unknown variant '\(name)'; known: \(Variant.all.map(\.name).joined(separator: ", "))")
                }
                return v
            }
            let reporter = ProgressReporter(quiet: true)
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("conflict-sweep-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: scratch) }
            var sections: [String] = []
            for conflict in conflicts {
                var source = DataSource()
                source.synthetic.conflict = conflict
                if let rows { source.synthetic.trainRows = rows }
                let loaded = try source.load(reporter: reporter)
                let tasks = loaded.dataset.schema.tasks.map(\.name)
                var lines = ["### conflict \(conflict)", "",
                             "| model | " + tasks.joined(separator: " | ") + " | mean |",
                             "|---|" + String(repeating: "---|", count: tasks.count + 1)]
                for variant in chosen {
                    var aucs: [[Double]] = []
                    for seed in seeds {
                        var model = ModelConfig()
                        variant.configure(&model)
                        var training = TrainingConfig()
                        training.epochs = epochs
                        training.seed = seed
                        let start = Date()
                        let run = RunDirectory(scratch.appendingPathComponent("\(conflict)-\(variant.name)-\(seed)"))
                        let trainer = try Trainer(dataset: loaded.dataset, modelConfig: model, config: training,
                                                  dataSource: "synthetic", synthetic: source.synthetic, run: run,
                                                  reporter: reporter)
                        try trainer.fit()
                        let best = try RunDirectory.resolveCheckpoint(run.url.path)
                        let report = Evaluator().evaluate(try Checkpoint.read(best).loadModel(from: best),
                                                          split: loaded.dataset.test, schema: loaded.dataset.schema, name: "test")
                        aucs.append(report.tasks.map { $0.auc ?? .nan })
                        let shown = aucs.last!.map { String(format: "%.4f", $0) }.joined(separator: " ")
                        let seconds = Int(Date().timeIntervalSince(start))
                        FileHandle.standardError.write(Data(
                            "conflict \(conflict) \(variant.name) seed \(seed): \(shown) (\(seconds) s)\n".utf8))
                    }
                    let perTask = tasks.indices.map { t in Self.meanStd(aucs.map { $0[t] }) }
                    let means = Self.meanStd(aucs.map { $0.reduce(0, +) / Double($0.count) })
                    lines.append("| \(variant.name) | " + (perTask + [means]).joined(separator: " | ") + " |")
                }
                if let reference = loaded.reference {
                    func f(_ v: Double?) -> String { v.map { String(format: "%.4f", $0) } ?? "-" }
                    lines.append("| *oracle* | " + reference.map { f($0.oracleAUC) }.joined(separator: " | ") + " | |")
                    lines.append("| *learnable ceiling* | " + reference.map { f($0.ceilingAUC) }.joined(separator: " | ") + " | |")
                }
                sections.append(lines.joined(separator: "\n"))
            }
            let command = "dtrn bench conflict-sweep --epochs \(epochs)" + (rows.map { " --rows \($0)" } ?? "")
                + conflicts.map { " --conflicts \($0)" }.joined() + seeds.map { " --seeds \($0)" }.joined()
                + (variants == Variant.all.map(\.name) ? "" : variants.map { " --variants \($0)" }.joined())
            let document = """
            # Task conflict sweep on the synthetic data

            Test AUC per task, mean ± std over training seeds \(seeds.map(String.init).joined(separator: ", ")) \
            (data seed fixed), \(epochs) epochs, best epoch by validation mean AUC. Made by:

                \(command)

            \(sections.joined(separator: "\n\n"))

            """
            try Data(document.utf8).write(to: URL(fileURLWithPath: out), options: .atomic)
            print(document)
        }
    }

    /// `mean ± std` (sample standard deviation) with four decimals.
    static func meanStd(_ values: [Double]) -> String {
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.count > 1 ? values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count - 1) : 0
        return String(format: "%.4f ± %.4f", mean, variance.squareRoot())
    }
}
