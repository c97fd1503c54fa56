import Foundation
import Models
import RecData
import Training
import XCTest

/// A loss that turns NaN stops training with an error naming the step, the epoch's batch and the
/// task, and leaves the run folder as the last good epoch left it.
final class NonFiniteLossTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("nonfinite-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private static let data: (dataset: EncodedDataset, synthetic: SyntheticConfig) = {
        var c = SyntheticConfig()
        (c.trainRows, c.validationRows, c.testRows) = (300, 100, 100)
        (c.users, c.items, c.sequenceLength) = (20, 30, 4)
        c.contextVocabularies = [4]
        c.denseFields = 1
        return (try! SyntheticGenerator(config: c).generate().encoded(), c)
    }()

    /// `dataset` with task `task`'s label NaN in every training row, as a store written by a
    /// buggy producer would hold it.
    private func poisoned(_ dataset: EncodedDataset, task: Int) throws -> EncodedDataset {
        let train = dataset.train
        let tasks = dataset.schema.tasks.count
        var labels = train.labels.array
        for row in 0..<train.rowCount { labels[row * tasks + task] = .nan }
        let split = try EncodedSplit(
            schema: dataset.schema, rowCount: train.rowCount, categorical: train.categorical, numeric: train.numeric,
            sequences: train.sequences, labels: Column(labels), labelWeights: train.labelWeights, groups: train.groups)
        return EncodedDataset(schema: dataset.schema, encoder: dataset.encoder, train: split,
                              validation: dataset.validation, test: dataset.test)
    }

    private func trainer(_ dataset: EncodedDataset, epochs: Int) throws -> Trainer {
        var m = ModelConfig()
        (m.embeddingDimension, m.towerHidden, m.feedForwardHidden) = (4, [8], 8)
        var t = TrainingConfig()
        (t.epochs, t.batchSize, t.patience) = (epochs, 100, 0)
        return try Trainer(dataset: dataset, modelConfig: m, config: t, dataSource: "synthetic", synthetic: Self.data.synthetic,
                           run: RunDirectory(folder), reporter: ProgressReporter(quiet: true))
    }

    func testANaNLossStopsNamingStepBatchAndTaskAndKeepsTheLastGoodCheckpoint() throws {
        let clean = Self.data.dataset
        try trainer(clean, epochs: 1).fit()
        let index = folder.appendingPathComponent("run.json")
        let indexBefore = try Data(contentsOf: index)
        let metricsBefore = try Data(contentsOf: folder.appendingPathComponent("metrics.jsonl"))

        let task = 1
        let resumed = try trainer(try poisoned(clean, task: task), epochs: 2)
        try resumed.resume()
        let taskName = clean.schema.tasks[task].name
        XCTAssertThrowsError(try resumed.fit()) { error in
            XCTAssertEqual(error as? TrainingError, .nonFiniteLoss(step: 4, epoch: 2, batch: 1, of: 3, tasks: [taskName]))
            XCTAssertTrue("\(error)".hasPrefix(
                "the training loss is not finite at step 4 (epoch 2, batch 1 of 3): task '\(taskName)'; stopped without writing"), "\(error)")
        }
        XCTAssertEqual(try Data(contentsOf: index), indexBefore, "run.json untouched")
        XCTAssertEqual(try Data(contentsOf: folder.appendingPathComponent("metrics.jsonl")), metricsBefore)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("epoch-002").path))
        let latest = folder.appendingPathComponent("epoch-001")
        XCTAssertNoThrow(try Checkpoint.read(latest).loadModel(from: latest))
    }
}
