import Foundation
import Models
import RecData
import Training

/// The HTML report of one or more training runs: their configurations side by side, learning
/// curves, gradient-conflict curves, gate and field-importance heatmaps and the final per-task
/// table (with the synthetic data's oracle and ceiling AUCs).
public struct RunReport {
    /// One run and what was computed for it beyond its folder.
    public struct Run: Sendable {
        /// The run folder's files.
        public var folder: RunFolder
        /// The best checkpoint's metrics on the test split, when the data could be loaded.
        public var test: EvaluationReport?
        /// The synthetic data's oracle and ceiling AUCs on the test split.
        public var reference: [SyntheticTaskStatistics]?
        /// Where the model routes (the folder's saved explanation, or one computed).
        public var explanation: RoutingExplanation?
        /// Remarks shown with the run (what could not be computed and why).
        public var notes: [String]

        /// A run with what was computed for it.
        public init(folder: RunFolder, test: EvaluationReport? = nil, reference: [SyntheticTaskStatistics]? = nil,
                    explanation: RoutingExplanation? = nil, notes: [String] = []) {
            (self.folder, self.test, self.reference, self.explanation, self.notes) = (folder, test, reference, explanation, notes)
        }
    }

    /// The runs, in the order given.
    public var runs: [Run]

    /// A report of `runs`.
    public init(runs: [Run]) { self.runs = runs }

    /// The whole page.
    public var html: String {
        let title = "Training report: " + runs.map(\.folder.name).joined(separator: ", ")
        return HTMLPage.document(title: title, body: [configurations, learningCurves, conflict, routing, results].joined())
    }

    private var tasks: [String] { runs.first?.folder.checkpoint.schema.tasks.map(\.name) ?? [] }

    // MARK: configurations

    /// Every setting of every run, one row per setting, in three tables side by side (the run
    /// and its data, the model, the training); rows where the runs differ are marked.
    private var configurations: String {
        let settings = runs.map { run -> [String: String] in
            let c = run.folder.checkpoint
            var all = ["data": c.dataSource, "epochs trained": "\(run.folder.epochs.count)",
                       "best epoch": run.folder.bestCheckpoint.lastPathComponent, "steps": "\(c.progress.step)"]
            all.merge(Self.flatten(c.model, prefix: "model.")) { a, _ in a }
            all.merge(Self.flatten(c.training, prefix: "training.")) { a, _ in a }
            if let synthetic = c.synthetic { all.merge(Self.flatten(synthetic, prefix: "synthetic.")) { a, _ in a } }
            return all
        }
        let first = ["data", "epochs trained", "best epoch", "steps"]
        let others = Set(settings.flatMap(\.keys)).subtracting(first).sorted()
        let sections = [("Run and data", first + others.filter { $0.hasPrefix("synthetic.") }),
                        ("Model", others.filter { $0.hasPrefix("model.") }),
                        ("Training", others.filter { $0.hasPrefix("training.") })]
        var out = "<h2>Run configurations</h2>\n"
            + (runs.count > 1 ? "<p class=\"note\">Settings that differ between the runs are highlighted.</p>\n" : "")
            + "<div class=\"tables\">\n"
        for (title, keys) in sections where !keys.isEmpty {
            let rows = keys.map { key in
                [escaped(key.split(separator: ".", maxSplits: 1).last.map(String.init) ?? key)] + settings.map { escaped($0[key] ?? "–") }
            }
            let classes = keys.map { key in
                [""] + settings.map { _ in Set(settings.map { $0[key] ?? "" }).count > 1 ? "differs" : "" }
            }
            out += "<div>\n<h3>\(title)</h3>\n"
                + HTMLPage.table(header: ["setting"] + runs.map(\.folder.name), rows: rows, classes: classes) + "</div>\n"
        }
        return out + "</div>\n"
    }

    /// `value`'s JSON keys, nested keys joined by dots, each with its value as compact text.
    static func flatten<Value: Encodable>(_ value: Value, prefix: String) -> [String: String] {
        guard let data = try? JSONEncoder().encode(value), let json = try? JSONDecoder().decode(JSONValue.self, from: data) else {
            return [:]
        }
        var out: [String: String] = [:]
        func visit(_ value: JSONValue, _ key: String) {
            if case .object(let members) = value {
                for (k, v) in members { visit(v, key.isEmpty ? k : key + "." + k) }
            } else {
                out[prefix + key] = value.text
            }
        }
        visit(json, "")
        return out
    }

    // MARK: learning curves

    private var learningCurves: String {
        var charts: [String] = [trainingLoss.svg]
        let metrics: [(title: String, unit: String, value: (EvaluationReport.Task) -> Double?)] = [
            ("Validation AUC", "AUC", { $0.auc }),
            ("Validation GAUC", "GAUC (per-user AUC, weighted)", { $0.gauc }),
            ("Validation logloss", "logloss (nats per sample)", { $0.logloss }),
        ]
        for metric in metrics {
            if runs.count == 1 {
                charts.append(LineChart(title: metric.title, xLabel: "epoch", yLabel: metric.unit,
                                        series: tasks.map { task in epochSeries(runs[0], task: task, name: task, metric.value) },
                                        integralX: true).svg)
            } else {
                for task in tasks {
                    charts.append(LineChart(title: "\(metric.title): \(task)", xLabel: "epoch", yLabel: metric.unit,
                                            series: runs.map { epochSeries($0, task: task, name: $0.folder.name, metric.value) },
                                            integralX: true).svg)
                }
            }
        }
        for run in runs {
            guard let diagnostics = run.folder.diagnostics, let first = diagnostics.first else { continue }
            let series = first.tasks.indices.map { t in
                LineChart.Series(name: first.tasks[t], x: diagnostics.map { Double($0.step) },
                                 y: diagnostics.map { $0.taskLoss[t] }, markers: diagnostics.count <= 60)
            }
            charts.append(LineChart(title: "Per-task training loss: \(run.folder.name)", xLabel: "step",
                                    yLabel: "task loss (nats per sample)", series: series, integralX: true).svg)
        }
        var notes = ""
        for run in runs where run.folder.steps.isEmpty {
            notes += "<p class=\"note\">\(escaped(run.folder.name)) has no <code>steps.jsonl</code> (trained before per-step "
                + "losses were recorded): its training loss is drawn per epoch only.</p>\n"
        }
        return "<h2>Learning curves</h2>\n" + notes + "<div class=\"charts\">\n" + charts.joined(separator: "\n") + "\n</div>\n"
    }

    /// The training loss of every run: the recorded steps, and each epoch's mean at the epoch's middle step.
    private var trainingLoss: LineChart {
        var series: [LineChart.Series] = []
        for (i, run) in runs.enumerated() {
            let label = runs.count == 1 ? "" : run.folder.name + ", "
            let steps = run.folder.steps
            if !steps.isEmpty {
                series.append(.init(name: label + "per step", x: steps.map { Double($0.step) }, y: steps.map(\.loss),
                                    markers: steps.count <= 60, color: Palette.color(i)))
            }
            let epochs = run.folder.epochs
            let middles = epochs.indices.map { e in Double((e == 0 ? 0 : epochs[e - 1].step) + epochs[e].step) / 2 }
            series.append(.init(name: label + "epoch mean", x: middles, y: epochs.map(\.trainLoss), dashed: true,
                                color: Palette.color(i)))
        }
        return LineChart(title: "Training loss", xLabel: "step (optimiser updates)", yLabel: "loss (nats per sample)",
                         series: series, integralX: true)
    }

    /// A run's per-epoch values of one validation metric of `task`.
    private func epochSeries(_ run: Run, task: String, name: String,
                             _ value: (EvaluationReport.Task) -> Double?) -> LineChart.Series {
        let points = run.folder.epochs.compactMap { record in
            record.validation.tasks.first { $0.name == task }.flatMap(value).map { (Double(record.epoch), $0) }
        }
        return LineChart.Series(name: name, x: points.map(\.0), y: points.map(\.1))
    }

    // MARK: gradient conflict

    private var conflict: String {
        var out = "<h2>Gradient conflict</h2>\n"
        for run in runs {
            out += "<h3>\(escaped(run.folder.name))</h3>\n"
            guard let diagnostics = run.folder.diagnostics, let last = diagnostics.last else {
                out += "<p class=\"note\">No <code>diagnostics.jsonl</code> in this run. Train with "
                    + "<code>dtrn train --diagnostics</code> to record each task's gradient on the shared parameters "
                    + "and compare them over the steps.</p>\n"
                continue
            }
            var charts: [String] = []
            for (g, group) in last.groups.enumerated() {
                let records = diagnostics.filter { $0.groups.count > g && $0.groups[g].name == group.name }
                let series = group.pairs.indices.map { p in
                    LineChart.Series(name: "\(group.pairs[p].a) ~ \(group.pairs[p].b)", x: records.map { Double($0.step) },
                                     y: records.map { $0.groups[g].pairs[p].cosine }, markers: records.count <= 60)
                }
                charts.append(LineChart(title: "Gradient cosine: \(group.name)\(group.shared ? "" : " (not shared)")",
                                        xLabel: "step", yLabel: "cosine of task gradients", series: series,
                                        integralX: true, fixedY: -1...1, referenceY: [0]).svg)
            }
            out += "<div class=\"charts\">\n" + charts.joined(separator: "\n") + "\n</div>\n"
            let rows = last.groups.flatMap { group in
                group.pairs.map { pair in
                    [escaped(group.name), group.shared ? "yes" : "no", escaped("\(pair.a) ~ \(pair.b)"),
                     HTMLPage.number(pair.cosine, digits: 3), HTMLPage.number(pair.conflictRate, digits: 3)]
                }
            }
            out += "<p class=\"note\">Conflict rate: the fraction of diagnosed steps whose cosine was negative, "
                + "as of step \(last.step).</p>\n"
                + HTMLPage.table(header: ["parameter group", "shared", "tasks", "last cosine", "conflict rate"], rows: rows)
        }
        return out
    }

    // MARK: routing

    private var routing: String {
        var out = "<h2>Where the models route</h2>\n"
        for run in runs {
            out += "<h3>\(escaped(run.folder.name))</h3>\n"
            guard let explanation = run.explanation else {
                out += "<p class=\"note\">No routing explanation: only models with gates (dtrn, mmoe, omoe, cgc, ple) have one, "
                    + "computed when the run's data can be loaded (see the notes under the results) or read from "
                    + "<code>\(RunFolder.explanationFile)</code> in the run folder, as "
                    + "<code>dtrn eval --checkpoint RUN --split validation --explain-out RUN/\(RunFolder.explanationFile)</code> writes it.</p>\n"
                continue
            }
            out += "<p class=\"note\">Gate weights averaged over the \(explanation.rows) rows of the \(escaped(explanation.split)) split. "
                + "Expert gates: each task's softmax weight per expert (utilisation). TRM field gates: each task's sigmoid "
                + "weight per input field (field importance).</p>\n"
            var charts: [String] = [], entropyRows: [[String]] = []
            var names: [String] = []
            for gate in explanation.gates where !names.contains(gate.gate) { names.append(gate.gate) }
            for name in names {
                let gates = explanation.gates(named: name)
                var labels: [String] = []
                for gate in gates { for label in gate.labels where !labels.contains(label) { labels.append(label) } }
                let values = labels.map { label in
                    gates.map { gate in gate.labels.firstIndex(of: label).map { gate.meanWeights[$0] } }
                }
                charts.append(Heatmap(title: name, rowLabels: labels, columnLabels: gates.map { $0.task ?? "shared path" },
                                      values: values, valueLabel: gates.first?.kind == .fields ? "mean field weight" : "mean expert weight").svg)
                for gate in gates {
                    guard let entropy = gate.meanEntropy, let maximum = gate.maximumEntropy else { continue }
                    entropyRows.append([escaped(name), escaped(gate.task ?? "shared path"), HTMLPage.number(entropy, digits: 3),
                                        HTMLPage.number(maximum, digits: 3),
                                        HTMLPage.number(maximum > 0 ? entropy / maximum : nil, digits: 3),
                                        escaped(gate.ranking.first ?? "")])
                }
            }
            out += "<div class=\"charts\">\n" + charts.joined(separator: "\n") + "\n</div>\n"
            if !entropyRows.isEmpty {
                out += HTMLPage.table(header: ["gate", "task", "mean entropy (nats)", "maximum ln K", "relative", "most used expert"],
                                      rows: entropyRows)
            }
        }
        return out
    }

    // MARK: results

    private var results: String {
        var rows: [[String]] = [], classes: [[String]] = []
        for run in runs {
            let best = run.folder.epochs.first { run.folder.bestCheckpoint.lastPathComponent == String(format: "epoch-%03d", $0.epoch) }
            for task in tasks {
                let validation = best?.validation.tasks.first { $0.name == task }
                let test = run.test?.tasks.first { $0.name == task }
                let reference = run.reference?.first { $0.task == task }
                let gap = both(test?.auc, reference?.ceilingAUC).map { $1 - $0 }
                rows.append([escaped(run.folder.name), escaped(task), HTMLPage.number(validation?.auc), HTMLPage.number(test?.auc),
                             HTMLPage.number(test?.gauc), HTMLPage.number(test?.logloss), HTMLPage.number(reference?.oracleAUC),
                             HTMLPage.number(reference?.ceilingAUC), HTMLPage.number(gap)])
                classes.append(["", ""] + Array(repeating: "num", count: 7))
            }
        }
        var out = "<h2>Final per-task results</h2>\n<p class=\"note\">The best epoch's checkpoint (by the monitored validation metric). "
            + "Oracle AUC: the true logits' AUC; ceiling AUC: the best a model can reach from the observable inputs "
            + "(synthetic data only, on the test split).</p>\n"
        out += HTMLPage.table(header: ["run", "task", "validation AUC", "test AUC", "test GAUC", "test logloss", "oracle AUC",
                                       "ceiling AUC", "ceiling − test AUC"], rows: rows, classes: classes)
        for run in runs where !run.notes.isEmpty {
            out += run.notes.map { "<p class=\"note\">\(escaped(run.folder.name)): \(escaped($0))</p>\n" }.joined()
        }
        return out
    }
}

/// Both values, when both are present.
private func both<A, B>(_ a: A?, _ b: B?) -> (A, B)? {
    guard let a, let b else { return nil }
    return (a, b)
}
