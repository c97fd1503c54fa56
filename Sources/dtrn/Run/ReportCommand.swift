import ArgumentParser
import Foundation
import Reports
import Tensor
import Training

/// `dtrn report`: one self-contained HTML file about training runs (configurations, learning
/// curves, gradient conflict, routing, final per-task table) or about a conflict sweep.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a self-contained HTML report of training runs, or of a conflict sweep (--sweep).",
        discussion: """
        For each run the best checkpoint is evaluated on the test split of its data and its gates are
        averaged over the validation split (unless the run folder holds explain.json); --no-data draws
        only what the run folders hold.
          dtrn report runs/dtrn-towers runs/mmoe --out report.html
          dtrn report --sweep sweep.json --out sweep.html
        """)

    @Argument(help: "Run folders written by 'dtrn train --out'.")
    var runs: [String] = []

    @Option(help: "A conflict sweep's JSON file, or a folder of them, to draw instead of runs.")
    var sweep: String?

    @Option(help: "The HTML file to write.")
    var out: String

    @Option(help: "The split the routing explanation averages the gates over: train, validation or test.")
    var explainSplit = "validation"

    @Flag(help: "Do not load the runs' data: no test metrics, no reference AUCs, no computed routing explanation.")
    var noData = false

    @OptionGroup var location: DataLocationOptions

    @Option(help: "Worker threads (default: all cores).")
    var threads: Int?

    func validate() throws {
        guard runs.isEmpty != (sweep == nil) else {
            throw ValidationError("give run folders or --sweep FILE_OR_DIR, not both and not neither")
        }
        guard ["train", "validation", "test"].contains(explainSplit) else {
            throw ValidationError("--explain-split must be train, validation or test")
        }
    }

    func run() throws {
        try reportingErrors {
            Parallelism.setThreadCount(threads ?? ProcessInfo.processInfo.activeProcessorCount)
            let html: String
            if let sweep {
                html = SweepReport(sweep: try SweepResults.read(sweep)).html
            } else {
                html = RunReport(runs: try runs.map { try reportRun(RunFolder($0)) }).html
            }
            let file = URL(fileURLWithPath: out)
            let folder = file.deletingLastPathComponent().path
            guard FileManager.default.fileExists(atPath: folder) else {
                throw ReportError.unwritable(out, reason: "the folder \(folder) does not exist")
            }
            try Data(html.utf8).write(to: file, options: .atomic)
            FileHandle.standardError.write(Data("wrote \(out) (\(html.utf8.count / 1024) KB)\n".utf8))
        }
    }

    /// The run with its test metrics, reference AUCs and routing explanation, as far as its data allows.
    private func reportRun(_ folder: RunFolder) throws -> RunReport.Run {
        var run = RunReport.Run(folder: folder, explanation: folder.explanation)
        guard !noData else { return run }
        let saved = folder.checkpoint
        let source = DataSource(name: saved.dataSource, input: location.input, cache: location.cache,
                                dataRoot: location.dataRoot, synthetic: saved.synthetic ?? .init())
        let loaded: DataSource.Loaded
        do {
            loaded = try source.load(reporter: ProgressReporter())
        } catch {
            run.notes.append("its data (\(saved.dataSource)) could not be loaded, so the report has no test metrics: \(error)")
            return run
        }
        guard loaded.dataset.schema == saved.schema else {
            run.notes.append("its data (\(saved.dataSource)) no longer matches the checkpoint's schema; no test metrics")
            return run
        }
        let model = try saved.loadModel(from: folder.bestCheckpoint)
        let dataset = loaded.dataset
        run.test = Evaluator().evaluate(model, split: dataset.test, schema: dataset.schema, name: "test")
        run.reference = loaded.reference
        if run.explanation == nil {
            let split = ["train": dataset.train, "validation": dataset.validation, "test": dataset.test][explainSplit]!
            do {
                run.explanation = try RoutingExplanation.measure(model, name: folder.modelName, split: split,
                                                                 schema: dataset.schema, splitName: explainSplit)
            } catch {
                run.notes.append("\(error)")
            }
        }
        return run
    }
}
