import Foundation
import Models
import NN
import RecData
import Tensor
@testable import Training
import XCTest

/// Gradient-conflict diagnostics during training: what they measure, that they leave the
/// run untouched, and that a resumed run continues their log.
final class GradientConflictTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("conflict-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    static let data: (dataset: EncodedDataset, synthetic: SyntheticConfig) = {
        var c = SyntheticConfig()
        (c.trainRows, c.validationRows, c.testRows) = (600, 200, 200)
        (c.users, c.items, c.sequenceLength) = (40, 60, 5)
        c.contextVocabularies = [4, 6]
        c.denseFields = 2
        c.conflict = 1
        return (try! SyntheticGenerator(config: c).generate().encoded(), c)
    }()

    /// A small model `name` with batch norm and dropout, whose state diagnostics must not touch.
    static func model(_ name: String) -> ModelConfig {
        var m = ModelConfig()
        m.model = name
        m.embeddingDimension = 4
        (m.bottomHidden, m.expertHidden, m.towerHidden) = ([8], [8], [4])
        m.feedForwardHidden = 8
        m.dropout = 0.1
        m.batchNorm = true
        return m
    }

    static func training(epochs: Int, diagnosticsEvery: Int? = nil) -> TrainingConfig {
        var t = TrainingConfig()
        (t.epochs, t.batchSize, t.learningRate, t.patience) = (epochs, 128, 0.01, 0)
        t.diagnosticsEvery = diagnosticsEvery
        return t
    }

    func trainer(_ model: ModelConfig, _ training: TrainingConfig, run: String) throws -> Trainer {
        try Trainer(dataset: Self.data.dataset, modelConfig: model, config: training, dataSource: "synthetic",
                    synthetic: Self.data.synthetic, run: RunDirectory(folder.appendingPathComponent(run)),
                    reporter: ProgressReporter(quiet: true))
    }

    static func bits(_ model: Module) -> [[UInt32]] {
        (model.parameters() + model.buffers()).map { $0.tensor.values.map(\.bitPattern) }
    }

    func testDiagnosticsLeaveTheWeightsBitForBitAsWithout() throws {
        for name in ["mmoe", "dtrn"] {
            let plain = try trainer(Self.model(name), Self.training(epochs: 1), run: "\(name)-plain")
            try plain.fit()
            let diagnosed = try trainer(Self.model(name), Self.training(epochs: 1, diagnosticsEvery: 2), run: "\(name)-diagnosed")
            try diagnosed.fit()
            XCTAssertEqual(Self.bits(diagnosed.model), Self.bits(plain.model), name)
            XCTAssertFalse(FileManager.default.fileExists(atPath: plain.run.diagnosticsFile.path))
            // 600 rows in batches of 128: steps 0 … 4, diagnosed at 0, 2 and 4.
            let records = DiagnosticsLog.records(in: try Data(contentsOf: diagnosed.run.diagnosticsFile))
            XCTAssertEqual(records.map(\.step), [0, 2, 4], name)
            let groups = records[0].groups
            XCTAssertEqual(groups.first?.name, "embeddings")
            XCTAssertEqual(groups.suffix(2).map(\.name), ["overall-shared", "task-specific"], name)
            XCTAssertEqual(groups.map(\.shared), groups.map { $0.name != "task-specific" }, name)
            for group in groups {
                XCTAssertEqual(group.norms.count, 3)
                XCTAssertEqual(group.pairs.map { "\($0.a)/\($0.b)" }, ["task_0/task_1", "task_0/task_2", "task_1/task_2"])
                XCTAssertTrue(group.pairs.allSatisfy { abs($0.cosine) <= 1 + 1e-9 && [0, 1].contains($0.conflictRate) },
                              "\(name) \(group.name): one step's rate is 0 or 1")
            }
        }
    }

    func testTheOverallCosineIsThatOfTheTasksFlattenedSharedGradients() throws {
        let config = Self.model("shared-bottom")
        let t = try trainer(config, Self.training(epochs: 1, diagnosticsEvery: 10), run: "cosine")
        try t.fit()
        let record = try XCTUnwrap(DiagnosticsLog.records(in: try Data(contentsOf: t.run.diagnosticsFile)).first)
        // The same first step by hand: a fresh model, the first batch, each task's loss alone,
        // every shared parameter's gradient laid out densely.
        let data = Self.data.dataset
        let model = try ModelZoo.make(config, layout: FeatureLayout(data.schema), seed: t.config.seed)
        var iterator = BatchIterator(split: data.train, schema: data.schema, batchSize: 128, shuffle: true, seed: t.config.seed)
        var batch = iterator.makeBatch()
        iterator.startEpoch(1)
        XCTAssertTrue(iterator.next(into: &batch))
        let dropouts = model.modules().compactMap { $0.module as? Dropout }
        let batchData = TrainingBatch(batch), loss = MultiTaskLoss(tasks: model.layout.tasks)
        let shared = model.parameterSharing.sharedSlices.map(\.tensor)
        var flattened: [[Double]] = []
        for task in 0..<3 {
            for (i, dropout) in dropouts.enumerated() { dropout.reseed(t.config.seed &+ UInt64(i)) }
            let value = loss(model(batchData.inputs), labels: batchData.labels, labelWeights: batchData.weights)
            value.perTaskLoss.slice(axis: 0, task..<(task + 1)).sum().backward()
            flattened.append(shared.flatMap { p in
                (p.rowGrad?.densified(rowCount: p.shape[0]) ?? p.grad?.values ?? [Float](repeating: 0, count: p.count)).map(Double.init)
            })
            model.zeroGrad()
        }
        func cosine(_ a: [Double], _ b: [Double]) -> Double {
            zip(a, b).map(*).reduce(0, +) / (a.map { $0 * $0 }.reduce(0, +) * b.map { $0 * $0 }.reduce(0, +)).squareRoot()
        }
        let overall = try XCTUnwrap(record.groups.first { $0.name == "overall-shared" })
        XCTAssertEqual(overall.pairs[0].cosine, cosine(flattened[0], flattened[1]), accuracy: 1e-5)
        XCTAssertEqual(overall.pairs[2].cosine, cosine(flattened[1], flattened[2]), accuracy: 1e-5)
        XCTAssertEqual(overall.norms[1], flattened[1].map { $0 * $0 }.reduce(0, +).squareRoot(), accuracy: 1e-5)
    }

    func testAResumedRunContinuesTheLogAndDropsATornLine() throws {
        let straight = try trainer(Self.model("mmoe"), Self.training(epochs: 2, diagnosticsEvery: 2), run: "straight")
        try straight.fit()
        try trainer(Self.model("mmoe"), Self.training(epochs: 1, diagnosticsEvery: 2), run: "resumed").fit()
        let resumed = try trainer(Self.model("mmoe"), Self.training(epochs: 2, diagnosticsEvery: 2), run: "resumed")
        // A killed run's leftovers: a record of a step after the checkpoint, and a torn line.
        let handle = try FileHandle(forWritingTo: resumed.run.diagnosticsFile)
        try handle.seekToEnd()
        let lines = try String(contentsOf: straight.run.diagnosticsFile, encoding: .utf8).split(separator: "\n")
        try handle.write(contentsOf: Data((lines[3] + "\n" + lines[4].prefix(30)).utf8))
        try handle.close()
        try resumed.resume()
        try resumed.fit()
        XCTAssertEqual(try Data(contentsOf: resumed.run.diagnosticsFile), try Data(contentsOf: straight.run.diagnosticsFile))
        XCTAssertEqual(lines.count, 5)   // steps 0, 2, 4 | 6, 8 (5 steps an epoch)
    }

    func testSettingsThatCannotWorkAreClearErrors() throws {
        var t = Self.training(epochs: 1, diagnosticsEvery: 0)
        XCTAssertThrowsError(try trainer(Self.model("mmoe"), t, run: "x")) { XCTAssertTrue("\($0)".contains("at least 1"), "\($0)") }
        t = Self.training(epochs: 1)
        t.gradientSurgery = "mgda"
        XCTAssertThrowsError(try trainer(Self.model("mmoe"), t, run: "x")) { XCTAssertTrue("\($0)".contains("none or pcgrad"), "\($0)") }
        t = Self.training(epochs: 1)
        t.taskWeighting = "gradnorm"
        XCTAssertThrowsError(try trainer(Self.model("single-task"), t, run: "x")) { XCTAssertTrue("\($0)".contains("shares none"), "\($0)") }
        t.uncertaintyWeighting = true
        XCTAssertThrowsError(try trainer(Self.model("mmoe"), t, run: "x")) { XCTAssertTrue("\($0)".contains("choose one"), "\($0)") }
    }
}
