import Foundation
import Models
import RecData
import Tensor
import Training
import XCTest

/// Training and scoring DTRN with bf16 matrix products: the run is recorded as bf16, resumes
/// exactly, and its checkpoints score in fp32 as fp32 checkpoints score in bf16.
final class BFloat16TrainingTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("bf16-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws {
        Gemm.setPrecision(.fp32)
        try? FileManager.default.removeItem(at: folder)
    }

    private static let data: (dataset: EncodedDataset, synthetic: SyntheticConfig) = {
        var c = SyntheticConfig()
        (c.trainRows, c.validationRows, c.testRows) = (400, 200, 200)
        (c.users, c.items, c.sequenceLength) = (40, 60, 4)
        c.contextVocabularies = [4, 6]
        c.denseFields = 2
        let data = try! SyntheticGenerator(config: c).generate()
        return (try! data.encoded(), c)
    }()

    private func trainer(_ precision: MatrixPrecision?, epochs: Int, run: String) throws -> Trainer {
        var m = ModelConfig()
        (m.embeddingDimension, m.towerHidden, m.feedForwardHidden) = (8, [16], 16)
        var t = TrainingConfig()
        (t.epochs, t.batchSize, t.learningRate, t.patience, t.precision) = (epochs, 100, 0.01, 0, precision)
        return try Trainer(dataset: Self.data.dataset, modelConfig: m, config: t, dataSource: "synthetic",
                           synthetic: Self.data.synthetic, run: RunDirectory(folder.appendingPathComponent(run)),
                           reporter: ProgressReporter(quiet: true))
    }

    /// The latest checkpoint's model and its training settings.
    private func latest(of trainer: Trainer) throws -> (model: MultiTaskModel, training: TrainingConfig) {
        let index = try XCTUnwrap(try trainer.run.index())
        let checkpoint = trainer.run.url.appendingPathComponent(index.latest)
        let saved = try Checkpoint.read(checkpoint)
        return (try saved.loadModel(from: checkpoint), saved.training)
    }

    /// The test split's scores of `model` with `precision` products.
    private func scores(_ model: MultiTaskModel, _ precision: MatrixPrecision) -> [Float] {
        Gemm.setPrecision(precision)
        let data = Self.data.dataset
        return Evaluator().predict(model, split: data.test, schema: data.schema)
    }

    private func largestDifference(_ a: [Float], _ b: [Float]) -> Float {
        zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }

    func testABFloat16RunLearnsIsRecordedAsBFloat16AndResumesOnlyAsBFloat16() throws {
        let t = try trainer(.bf16, epochs: 2, run: "bf16")
        XCTAssertEqual(Gemm.precision, .bf16, "the trainer sets its config's precision")
        let records = try t.fit()
        XCTAssertLessThan(records[1].trainLoss, records[0].trainLoss)
        XCTAssertEqual(try latest(of: t).training.precision, .bf16)
        let fp32 = try trainer(nil, epochs: 3, run: "bf16")
        XCTAssertThrowsError(try fp32.resume()) {
            XCTAssertTrue("\($0)".contains("trained with bf16 matrix products; resume with --precision bf16"), "\($0)")
        }
    }

    /// Scores of one checkpoint in the two precisions differ (the bf16 path is taken) by at
    /// most a few bf16 roundings of a probability: the weights are fp32 either way.
    func testCheckpointsOfEitherPrecisionScoreInTheOther() throws {
        for precision in [MatrixPrecision.bf16, .fp32] {
            let t = try trainer(precision, epochs: 1, run: precision.rawValue)
            try t.fit()
            let model = try latest(of: t).model
            let (fp32, bf16) = (scores(model, .fp32), scores(model, .bf16))
            let difference = largestDifference(fp32, bf16)
            XCTAssertGreaterThan(difference, 0, "trained in \(precision)")
            XCTAssertLessThan(difference, 0.02, "trained in \(precision)")
            XCTAssertEqual(scores(model, precision), precision == .fp32 ? fp32 : bf16, "scoring is deterministic")
        }
    }

    func testResumingABFloat16RunEqualsAnUninterruptedOne() throws {
        let straight = try trainer(.bf16, epochs: 2, run: "straight")
        let straightRecords = try straight.fit()
        try trainer(.bf16, epochs: 1, run: "interrupted").fit()
        let resumed = try trainer(.bf16, epochs: 2, run: "interrupted")
        try resumed.resume()
        let resumedRecords = try resumed.fit()
        XCTAssertEqual(resumedRecords.map(\.trainLoss), straightRecords.map(\.trainLoss))
        XCTAssertEqual(scores(resumed.model, .bf16), scores(straight.model, .bf16))
    }
}
