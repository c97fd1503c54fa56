import Foundation
import Models
import RecData
import Tensor
import Training
import XCTest

/// Training end to end on a tiny synthetic dataset: checkpoints, resume and evaluation.
final class TrainerTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("trainer-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private static let data: (dataset: EncodedDataset, synthetic: SyntheticConfig) = {
        var c = SyntheticConfig()
        (c.trainRows, c.validationRows, c.testRows) = (600, 300, 300)
        (c.users, c.items, c.sequenceLength) = (40, 60, 5)
        c.contextVocabularies = [4, 6]
        c.denseFields = 2
        let data = try! SyntheticGenerator(config: c).generate()
        return (try! data.encoded(), c)
    }()

    private func modelConfig() -> ModelConfig {
        var m = ModelConfig()
        m.embeddingDimension = 4
        m.towerHidden = [8]
        m.feedForwardHidden = 8
        m.dropout = 0.1
        return m
    }

    private func trainingConfig(epochs: Int) -> TrainingConfig {
        var t = TrainingConfig()
        t.epochs = epochs
        t.batchSize = 128
        t.learningRate = 0.01
        t.patience = 0
        return t
    }

    private func trainer(epochs: Int, run: String) throws -> Trainer {
        try Trainer(dataset: Self.data.dataset, modelConfig: modelConfig(), config: trainingConfig(epochs: epochs),
                    dataSource: "synthetic", synthetic: Self.data.synthetic,
                    run: RunDirectory(folder.appendingPathComponent(run)), reporter: ProgressReporter(quiet: true))
    }

    private func bits(_ model: MultiTaskModel) -> [[UInt32]] {
        (model.parameters() + model.buffers()).map { $0.tensor.values.map(\.bitPattern) }
    }

    func testResumingAfterTheFirstEpochEqualsAnUninterruptedRun() throws {
        let straight = try trainer(epochs: 2, run: "straight")
        let straightRecords = try straight.fit()
        try trainer(epochs: 1, run: "interrupted").fit()
        let resumed = try trainer(epochs: 2, run: "interrupted")
        try resumed.resume()
        let resumedRecords = try resumed.fit()
        XCTAssertEqual(bits(resumed.model), bits(straight.model))
        XCTAssertEqual(resumedRecords.map(\.trainLoss), straightRecords.map(\.trainLoss))
        XCTAssertEqual(resumedRecords.map(\.validation), straightRecords.map(\.validation))
        XCTAssertEqual(try resumed.run.stepRecords(), try straight.run.stepRecords())
    }

    func testStepLossesAreRecordedEveryStepAndAverageToTheEpochLoss() throws {
        let t = try trainer(epochs: 2, run: "steps")
        let records = try t.fit()
        let steps = try t.run.stepRecords()
        // 600 rows in batches of 128: 5 steps an epoch, each its own record.
        XCTAssertEqual(steps.map(\.step), Array(1...10))
        XCTAssertEqual(steps.map(\.epoch), [1, 1, 1, 1, 1, 2, 2, 2, 2, 2])
        for record in records {
            let losses = steps.filter { $0.epoch == record.epoch }.map(\.loss)
            XCTAssertEqual(losses.reduce(0, +) / Double(losses.count), record.trainLoss, accuracy: 1e-9)
        }
    }

    func testACheckpointReloadsToIdenticalPredictions() throws {
        let t = try trainer(epochs: 2, run: "checkpoint")
        let records = try t.fit()
        let latest = try XCTUnwrap(try t.run.index()).latest
        let folder = t.run.url.appendingPathComponent(latest)
        let reloaded = try Checkpoint.read(folder).loadModel(from: folder)
        let data = Self.data.dataset
        let original = Evaluator().predict(t.model, split: data.test, schema: data.schema)
        XCTAssertEqual(Evaluator().predict(reloaded, split: data.test, schema: data.schema).map(\.bitPattern),
                       original.map(\.bitPattern))
        XCTAssertEqual(records.count, 2)
        XCTAssertLessThan(records[1].trainLoss, records[0].trainLoss)
        let lines = try String(contentsOf: t.run.metricsFile, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 2)
    }

    func testEarlyStoppingStopsAfterPatienceEpochsWithoutImprovement() throws {
        var config = trainingConfig(epochs: 6)
        config.patience = 1
        config.learningRate = 0   // nothing improves after the first epoch
        let t = try Trainer(dataset: Self.data.dataset, modelConfig: modelConfig(), config: config, dataSource: "synthetic",
                            run: RunDirectory(folder.appendingPathComponent("early")), reporter: ProgressReporter(quiet: true))
        let records = try t.fit()
        XCTAssertEqual(records.count, 2)
        XCTAssertEqual(try t.run.index()?.best, "epoch-001")
    }

    func testResumingAnotherModelsRunIsRefused() throws {
        try trainer(epochs: 1, run: "other").fit()
        var other = modelConfig()
        other.model = "mmoe"
        let t = try Trainer(dataset: Self.data.dataset, modelConfig: other, config: trainingConfig(epochs: 2),
                            dataSource: "synthetic", run: RunDirectory(folder.appendingPathComponent("other")),
                            reporter: ProgressReporter(quiet: true))
        XCTAssertThrowsError(try t.resume()) { XCTAssertTrue("\($0)".contains("another model"), "\($0)") }
    }

    func testUnknownOptimizerAndMonitorAreClearErrors() throws {
        var config = trainingConfig(epochs: 1)
        config.optimizer = "lion"
        XCTAssertThrowsError(try Trainer(dataset: Self.data.dataset, modelConfig: modelConfig(), config: config,
                                         dataSource: "synthetic", run: RunDirectory(folder))) {
            XCTAssertTrue("\($0)".contains("optimizer must be"), "\($0)")
        }
    }

    func testLearningRateScheduleWarmsUpAndDecays() throws {
        var config = trainingConfig(epochs: 2)
        config.warmupSteps = 4
        config.decay = "cosine"
        let schedule = try LearningRateSchedule(config, stepsPerEpoch: 10)
        XCTAssertEqual(schedule.rate(atStep: 0), 0.01 / 4, accuracy: 1e-9)
        XCTAssertEqual(schedule.rate(atStep: 3), 0.01, accuracy: 1e-9)
        XCTAssertEqual(schedule.rate(atStep: 4), 0.01, accuracy: 1e-9)
        XCTAssertEqual(schedule.rate(atStep: 20), 0, accuracy: 1e-9)
        XCTAssertLessThan(schedule.rate(atStep: 12), schedule.rate(atStep: 8))
    }

    func testPredictingRawRowsMatchesEvaluatingTheSplit() throws {
        let t = try trainer(epochs: 1, run: "predict")
        try t.fit()
        let data = Self.data.dataset, schema = data.schema, split = data.test
        let expected = Evaluator().predict(t.model, split: split, schema: schema)
        // The test rows as a client would send them: ids and numbers by feature name.
        let categorical = split.categorical.array, numeric = split.numeric.array
        let rows = try (0..<split.rowCount).map { r -> EncodedRow in
            var raw: [String: RawValue] = [:]
            for (j, field) in schema.categorical.enumerated() {
                raw[field.name] = .number(Double(categorical[r * schema.categorical.count + j]))
            }
            for (j, field) in schema.numeric.enumerated() {
                raw[field.name] = .number(Double(numeric[r * schema.numeric.count + j]))
            }
            for (s, field) in schema.sequences.enumerated() {
                raw[field.name] = .list(split.sequences[s].items(ofRow: r).map { String($0) })
            }
            return try RowEncoder(schema: schema, encoder: nil).encode(raw)
        }
        let predicted = Predictor(model: t.model, schema: schema).predict(rows)
        XCTAssertEqual(predicted.count, expected.count)
        for (p, e) in zip(predicted, expected) { XCTAssertEqual(p, e, accuracy: 1e-6) }
        XCTAssertThrowsError(try RowEncoder(schema: schema, encoder: nil).encode([schema.categorical[0].name: .number(1e9)])) {
            XCTAssertTrue("\($0)".contains("expected an id"), "\($0)")
        }
    }
}
