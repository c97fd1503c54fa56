import Foundation
import FoundationXML
import Models
import RecData
import Reports
import Training
import XCTest

/// `dtrn report`: the HTML of a real (tiny) run, checked by parsing it and reading the charts back.
final class RunReportTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    /// Trains DTRN over MMoE for two epochs on tiny synthetic data into folder `name`.
    private func trainRun(_ name: String) throws -> (Trainer, EncodedDataset, [SyntheticTaskStatistics]) {
        var c = SyntheticConfig()
        (c.trainRows, c.validationRows, c.testRows) = (600, 300, 300)
        (c.users, c.items, c.sequenceLength) = (40, 60, 5)
        c.contextVocabularies = [4, 6]
        c.denseFields = 2
        let data = try SyntheticGenerator(config: c).generate()
        var m = ModelConfig()
        (m.backbone, m.embeddingDimension, m.expertCount, m.expertHidden, m.towerHidden, m.feedForwardHidden) = ("mmoe", 4, 3, [8], [8], 8)
        var t = TrainingConfig()
        (t.epochs, t.batchSize, t.learningRate, t.patience) = (2, 128, 0.01, 0)
        let trainer = try Trainer(dataset: try data.encoded(), modelConfig: m, config: t, dataSource: "synthetic", synthetic: c,
                                  run: RunDirectory(root.appendingPathComponent(name)), reporter: ProgressReporter(quiet: true))
        try trainer.fit()
        return (trainer, trainer.dataset, data.test.taskStatistics())
    }

    /// Three diagnosed steps of two groups, as `dtrn train --diagnostics` writes them.
    private func writeDiagnostics(into run: URL) throws {
        let lines = [(5, [0.4, -0.2, 0.1]), (10, [0.1, -0.3, 0.2]), (15, [-0.1, 0.05, 0.3])].map { step, cosines in
            """
            {"step":\(step),"epoch":1,"tasks":["task_0","task_1","task_2"],"taskLoss":[0.6,0.4,0.2],"groups":[\
            {"name":"overall-shared","shared":true,"norms":[1.0,0.5,0.2],"pairs":[\
            {"a":"task_0","b":"task_1","cosine":\(cosines[0]),"conflictRate":0.0},\
            {"a":"task_0","b":"task_2","cosine":\(cosines[1]),"conflictRate":0.5},\
            {"a":"task_1","b":"task_2","cosine":\(cosines[2]),"conflictRate":0.0}]},\
            {"name":"task-specific","shared":false,"norms":[0.3,0.2,0.1],"pairs":[\
            {"a":"task_0","b":"task_1","cosine":0.0,"conflictRate":0.3}]}]}
            """
        }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: run.appendingPathComponent("diagnostics.jsonl"))
    }

    func testEveryCurveHasOnePointPerRecordAndItsDrawnPointsAreTheRecordedValues() throws {
        let (trainer, dataset, reference) = try trainRun("dtrn-mmoe")
        try writeDiagnostics(into: trainer.run.url)
        let folder = try RunFolder(trainer.run.url.path)
        let model = try folder.checkpoint.loadModel(from: folder.bestCheckpoint)
        let explanation = try RoutingExplanation.measure(model, name: "dtrn", split: dataset.validation, schema: dataset.schema,
                                                         splitName: "validation")
        let test = Evaluator().evaluate(model, split: dataset.test, schema: dataset.schema, name: "test")
        let html = RunReport(runs: [.init(folder: folder, test: test, reference: reference, explanation: explanation)]).html
        let report = try ReportDocument(html)
        XCTAssertFalse(html.contains("<script"), "the report runs no script")

        // Validation AUC and logloss: one point per epoch, at the values of metrics.jsonl.
        let epochs = try trainer.run.epochRecords()
        XCTAssertEqual(epochs.count, 2)
        for (title, metric) in [("Validation AUC", \EvaluationReport.Task.auc), ("Validation logloss", \.logloss)] {
            let chart = try report.chart(title)
            let series = try report.series(of: chart)
            XCTAssertEqual(Set(series.keys), ["task_0", "task_1", "task_2"])
            for (task, curve) in series {
                let expected = epochs.map { record in (Double(record.epoch), record.validation.tasks.first { $0.name == task }![keyPath: metric]!) }
                XCTAssertEqual(curve.y, expected.map(\.1), "\(title) \(task): stated values")
                assertPoints(curve.drawn, expected, yTolerance: 1e-4)
            }
        }

        // Training loss: one point per record of steps.jsonl, and one per epoch.
        let steps = try trainer.run.stepRecords()
        XCTAssertEqual(steps.count, 10)
        let loss = try report.series(of: report.chart("Training loss"))
        assertPoints(try XCTUnwrap(loss["per step"]).drawn, steps.map { (Double($0.step), $0.loss) }, yTolerance: 1e-3)
        // 5 steps an epoch: each epoch's mean sits at its middle step.
        assertPoints(try XCTUnwrap(loss["epoch mean"]).drawn, [(2.5, epochs[0].trainLoss), (7.5, epochs[1].trainLoss)], yTolerance: 1e-3)

        // Gradient conflict: one curve per task pair and group, one point per diagnosed step.
        let cosines = try report.series(of: report.chart("Gradient cosine: overall-shared"))
        XCTAssertEqual(cosines.count, 3)
        assertPoints(try XCTUnwrap(cosines["task_0 ~ task_2"]).drawn, [(5, -0.2), (10, -0.3), (15, 0.05)], yTolerance: 1e-4)
        XCTAssertEqual(try report.series(of: report.chart("Gradient cosine: task-specific (not shared)")).count, 1)
        XCTAssertTrue(html.contains("Per-task training loss"))

        // Heatmaps: every gate weight of the explanation, one cell per (label, task).
        let trm = try report.chart("TRM field gate")
        let cells = try report.elements("rect", under: trm).filter { $0["data-value"] != nil }
        let gates = explanation.gates(named: "TRM field gate")
        XCTAssertEqual(cells.count, gates.count * gates[0].labels.count)
        for cell in cells {
            let task = cell["data-column"]!, label = cell["data-row"]!
            let gate = try XCTUnwrap(gates.first { $0.task == task })
            XCTAssertEqual(Double(cell["data-value"]!), gate.meanWeights[gate.labels.firstIndex(of: label)!])
        }
        XCTAssertEqual(try report.elements("rect", under: report.chart("MMoE gate")).filter { $0["data-value"] != nil }.count, 9)

        // The final table: test AUC beside the oracle and ceiling of every task.
        let text = try XCTUnwrap(report.document.rootElement()?.stringValue)
        for (task, statistics) in zip(test.tasks, reference) {
            XCTAssertTrue(text.contains(String(format: "%.4f", task.auc!)), "test AUC of \(task.name)")
            XCTAssertTrue(text.contains(String(format: "%.4f", statistics.ceilingAUC!)), "ceiling AUC of \(task.name)")
        }
    }

    func testTwoRunsAreComparedPerTaskAndTheirNamesAreEscaped() throws {
        let (first, _, _) = try trainRun("plain")
        let (second, _, _) = try trainRun("a<b & \"c\"")
        let html = RunReport(runs: [.init(folder: try RunFolder(first.run.url.path)),
                                    .init(folder: try RunFolder(second.run.url.path))]).html
        let report = try ReportDocument(html)   // parses: the name's <, & and " are escaped
        XCTAssertFalse(html.contains("a<b"))
        let series = try report.series(of: report.chart("Validation AUC: task_1"))
        XCTAssertEqual(Set(series.keys), ["plain", "a<b & \"c\""])
        XCTAssertTrue(html.contains("No <code>diagnostics.jsonl</code>"), "says how to get conflict curves")
    }

    func testAFolderThatIsNoRunIsAClearError() throws {
        XCTAssertThrowsError(try RunFolder(root.path)) { XCTAssertTrue("\($0)".contains("not a run folder"), "\($0)") }
        let (trainer, _, _) = try trainRun("bad-diagnostics")
        try Data("{\"step\": 1}\n".utf8).write(to: trainer.run.url.appendingPathComponent("diagnostics.jsonl"))
        XCTAssertThrowsError(try RunFolder(trainer.run.url.path)) {
            XCTAssertTrue("\($0)".contains("diagnostics.jsonl:1"), "\($0)")
        }
    }
}
