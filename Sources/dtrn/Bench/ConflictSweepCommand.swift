import ArgumentParser
import Foundation
import Models
import RecData
import Reports
import Tensor
import Training

/// `dtrn bench conflict-sweep`: every model of the comparison on the synthetic data at
/// several task-conflict levels and seeds (or on a built-in dataset with `--data`), written as
/// a Markdown table of per-task test AUC (mean ± std over seeds) beside the data's oracle and
/// learnable-ceiling AUCs, with each variant's gradient conflict rate and mean cosine
/// (diagnostics on, see ``GradientConflictMonitor``); with `--json`, every run also as JSON,
/// with the conflict of every parameter group.
struct ConflictSweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conflict-sweep",
        abstract: "Per-task AUC of the baselines, DTRN and its ablations across synthetic task conflict levels.")

    @Option(help: "Conflict levels of the synthetic data (default: 0, 0.5 and 1).")
    var conflicts: [Double] = []

    @Option(help: "`synthetic`, or a built-in dataset (census-income, …) run once instead of per conflict level.")
    var data = "synthetic"

    @Option(help: "A census-income preset (rechub or large) applied to every variant.")
    var preset: String?

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

    @Option(help: "Also write every run (AUCs and conflict rate) to this JSON file.")
    var json: String?

    @Option(help: "Diagnose gradient conflict every this many steps.")
    var diagnosticsEvery = 10

    /// One run of the sweep, as the JSON file lists it.
    struct RunRecord: Codable {
        var conflict: Double
        var variant: String
        var seed: Int
        var tasks: [String]
        var testAUC: [Double]
        /// The `overall-shared` group's conflict rate over the whole run, mean over task
        /// pairs (0 for a model that shares nothing).
        var conflictRate: Double
        /// The `overall-shared` group's cosine, mean over task pairs and diagnosed steps.
        var meanCosine: Double
        /// Every parameter group's conflict rate and mean cosine.
        var groups: [GroupConflictSummary]
    }

    /// One column of the comparison: a name and how it changes the default model and
    /// training configs.
    struct Variant {
        var name: String
        var configure: @Sendable (inout ModelConfig) -> Void
        var train: @Sendable (inout TrainingConfig) -> Void = { _ in }

        init(name: String, train: @escaping @Sendable (inout TrainingConfig) -> Void = { _ in },
             configure: @escaping @Sendable (inout ModelConfig) -> Void) {
            self.name = name
            self.configure = configure
            self.train = train
        }

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
            Variant(name: "shared-bottom+pcgrad", train: { $0.gradientSurgery = "pcgrad" }) { $0.model = "shared-bottom" },
            Variant(name: "shared-bottom+gradnorm", train: { $0.taskWeighting = "gradnorm" }) { $0.model = "shared-bottom" },
            Variant(name: "mmoe+pcgrad", train: { $0.gradientSurgery = "pcgrad" }) { $0.model = "mmoe" },
            Variant(name: "mmoe+gradnorm", train: { $0.taskWeighting = "gradnorm" }) { $0.model = "mmoe" },
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
            guard diagnosticsEvery >= 1 else { throw ValidationError("--diagnostics-every must be at least 1") }
            let synthetic = data == "synthetic"
            guard synthetic || (conflicts.isEmpty && rows == nil) else {
                throw ValidationError("--conflicts and --rows apply to the synthetic data only")
            }
            guard preset == nil || data == "census-income" else { throw ValidationError("--preset applies to census-income only") }
            var sections: [String] = []
            var runs: [RunRecord] = []
            for conflict in synthetic ? (conflicts.isEmpty ? [0, 0.5, 1] : conflicts) : [0] {
                var source = DataSource(name: data)
                source.synthetic.conflict = conflict
                if let rows { source.synthetic.trainRows = rows }
                let loaded = try source.load(reporter: reporter)
                let tasks = loaded.dataset.schema.tasks.map(\.name)
                var lines = [synthetic ? "### conflict \(conflict)" : "### \(data)", "",
                             "| model | " + tasks.joined(separator: " | ") + " | mean | conflict rate | mean cosine |",
                             "|---|" + String(repeating: "---|", count: tasks.count + 3)]
                for variant in chosen {
                    var aucs: [[Double]] = []
                    var rates: [Double] = []
                    var cosines: [Double] = []
                    for seed in seeds {
                        var model = ModelConfig()
                        var training = TrainingConfig()
                        if let preset { try Preset.apply(preset, to: &model, training: &training) }
                        variant.configure(&model)
                        training.epochs = epochs
                        training.seed = seed
                        training.diagnosticsEvery = diagnosticsEvery
                        variant.train(&training)
                        let start = Date()
                        let run = RunDirectory(scratch.appendingPathComponent("\(conflict)-\(variant.name)-\(seed)"))
                        let trainer = try Trainer(dataset: loaded.dataset, modelConfig: model, config: training,
                                                  dataSource: data, synthetic: source.synthetic, run: run,
                                                  reporter: reporter)
                        try trainer.fit()
                        let best = try RunDirectory.resolveCheckpoint(run.url.path)
                        let report = Evaluator().evaluate(try Checkpoint.read(best).loadModel(from: best),
                                                          split: loaded.dataset.test, schema: loaded.dataset.schema, name: "test")
                        aucs.append(report.tasks.map { $0.auc ?? .nan })
                        let groups = GroupConflictSummary.summaries(of: try ConflictRecord.read(run.diagnosticsFile))
                        let overall = groups.first { $0.name == "overall-shared" }
                        let (rate, cosine) = (overall?.conflictRate ?? 0, overall?.meanCosine ?? 0)
                        rates.append(rate)
                        cosines.append(cosine)
                        runs.append(RunRecord(conflict: conflict, variant: variant.name, seed: Int(seed), tasks: tasks,
                                              testAUC: aucs.last!, conflictRate: rate, meanCosine: cosine, groups: groups))
                        let shown = aucs.last!.map { String(format: "%.4f", $0) }.joined(separator: " ")
                            + String(format: ", conflict rate %.3f, mean cosine %.3f", rate, cosine)
                        let seconds = Int(Date().timeIntervalSince(start))
                        let label = synthetic ? "conflict \(conflict)" : data
                        FileHandle.standardError.write(Data("\(label) \(variant.name) seed \(seed): \(shown) (\(seconds) s)\n".utf8))
                    }
                    let perTask = tasks.indices.map { t in Self.meanStd(aucs.map { $0[t] }) }
                    let means = Self.meanStd(aucs.map { $0.reduce(0, +) / Double($0.count) })
                    lines.append("| \(variant.name) | " + (perTask + [means, Self.meanStd(rates, digits: 3), Self.meanStd(cosines, digits: 3)]).joined(separator: " | ") + " |")
                }
                if let reference = loaded.reference {
                    func f(_ v: Double?) -> String { v.map { String(format: "%.4f", $0) } ?? "-" }
                    lines.append("| *oracle* | " + reference.map { f($0.oracleAUC) }.joined(separator: " | ") + " | | | |")
                    lines.append("| *learnable ceiling* | " + reference.map { f($0.ceilingAUC) }.joined(separator: " | ") + " | | | |")
                }
                sections.append(lines.joined(separator: "\n"))
            }
            var arguments = ["--epochs \(epochs)"]
            if !synthetic { arguments.append("--data \(data)") }
            if let preset { arguments.append("--preset \(preset)") }
            if let rows { arguments.append("--rows \(rows)") }
            arguments += conflicts.map { "--conflicts \($0)" } + seeds.map { "--seeds \($0)" }
            if variants != Variant.all.map(\.name) { arguments += variants.map { "--variants \($0)" } }
            if diagnosticsEvery != 10 { arguments.append("--diagnostics-every \(diagnosticsEvery)") }
            let command = (["dtrn bench conflict-sweep"] + arguments).joined(separator: " ")
            let document = """
            # Task conflict sweep on \(synthetic ? "the synthetic data" : data)

            Test AUC per task, mean ± std over training seeds \(seeds.map(String.init).joined(separator: ", ")) \
            (data seed fixed), \(epochs) epochs, best epoch by validation mean AUC. The conflict rate is the \
            fraction of diagnosed training steps (every \(diagnosticsEvery)th) on which two tasks' gradients on all \
            shared parameters had a negative cosine, mean over task pairs (0 for single-task, which shares nothing); \
            the mean cosine is that cosine's mean over task pairs and diagnosed steps. Made by:

                \(command)

            \(sections.joined(separator: "\n\n"))

            """
            try Data(document.utf8).write(to: URL(fileURLWithPath: out), options: .atomic)
            if let json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                try encoder.encode(["runs": runs]).write(to: URL(fileURLWithPath: json), options: .atomic)
            }
            print(document)
        }
    }

    /// `mean ± std` (sample standard deviation) with four decimals (or `digits`).
    static func meanStd(_ values: [Double], digits: Int = 4) -> String {
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.count > 1 ? values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count - 1) : 0
        return String(format: "%.\(digits)f ± %.\(digits)f", mean, variance.squareRoot())
    }
}
