import Foundation
import Models
import RecData
import Tensor
import Training
import XCTest

/// `dtrn eval --explain`'s numbers: gate weights averaged over a split.
final class RoutingExplanationTests: XCTestCase {
    /// Small synthetic data in which each task reads one context field of its own: task 0
    /// `context_0`, task 1 `context_1`, task 2 `dense_0`; `dense_1` is noise for all.
    private static let data: (dataset: EncodedDataset, synthetic: SyntheticConfig) = {
        var c = SyntheticConfig()
        (c.trainRows, c.validationRows, c.testRows) = (6000, 2000, 8)
        (c.users, c.items, c.sequenceLength) = (200, 100, 5)
        c.contextVocabularies = [8, 32]
        c.denseFields = 2
        let data = try! SyntheticGenerator(config: c).generate()
        return (try! data.encoded(), c)
    }()

    private func train(_ model: String, epochs: Int) throws -> MultiTaskModel {
        var m = ModelConfig()
        m.model = model
        m.backbone = "towers"
        m.embeddingDimension = 4
        m.towerHidden = [8]
        m.bottomHidden = [16]
        m.expertHidden = [8]
        m.expertCount = 3
        m.feedForwardHidden = 8
        var t = TrainingConfig()
        (t.epochs, t.batchSize, t.learningRate, t.patience) = (epochs, 256, 0.01, 0)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("explain-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let trainer = try Trainer(dataset: Self.data.dataset, modelConfig: m, config: t, dataSource: "synthetic",
                                  run: RunDirectory(folder), reporter: ProgressReporter(quiet: true))
        try trainer.fit()
        return trainer.model
    }

    /// Whether every task's TRM gate weighs the context fields it reads above the other context fields.
    private func ownFieldsRankFirst(_ explanation: RoutingExplanation) -> Bool {
        let context = Self.data.synthetic.contextFieldNames
        return explanation.gates(named: "TRM field gate").enumerated().allSatisfy { t, gate in
            let own = Self.data.synthetic.contextFields(readBy: t)
            let ranked = gate.ranking.filter(context.contains)
            return Set(ranked.prefix(own.count)) == Set(own)
        }
    }

    func testDTRNsFieldGatesRankEachTasksOwnContextFieldsFirst() throws {
        let model = try train("dtrn", epochs: 2)
        let data = Self.data.dataset
        let explanation = try RoutingExplanation.measure(model, name: "dtrn", split: data.validation, schema: data.schema,
                                                         splitName: "validation")
        let gates = explanation.gates(named: "TRM field gate")
        XCTAssertEqual(gates.map(\.task), ["task_0", "task_1", "task_2"])
        XCTAssertTrue(ownFieldsRankFirst(explanation))
        // The check can fail: the same importances given to the wrong tasks do not pass it.
        var swapped = explanation
        swapped.gates = explanation.gates.map { gate in
            var moved = gate
            if let t = gates.firstIndex(of: gate) { moved.meanWeights = gates[(t + 1) % gates.count].meanWeights }
            return moved
        }
        XCTAssertFalse(ownFieldsRankFirst(swapped))
    }

    func testMMoEGateWeightsAreADistributionPerTaskWithEntropyWithinItsBounds() throws {
        let model = try train("mmoe", epochs: 1)
        let data = Self.data.dataset
        let explanation = try RoutingExplanation.measure(model, name: "mmoe", split: data.validation, schema: data.schema,
                                                         splitName: "validation")
        XCTAssertEqual(explanation.rows, 2000)
        XCTAssertEqual(explanation.gates.map(\.task), ["task_0", "task_1", "task_2"])
        for gate in explanation.gates {
            XCTAssertEqual(gate.labels, ["expert 0", "expert 1", "expert 2"])
            XCTAssertEqual(gate.meanWeights.reduce(0, +), 1, accuracy: 1e-5)
            let entropy = try XCTUnwrap(gate.meanEntropy)
            XCTAssertEqual(try XCTUnwrap(gate.maximumEntropy), log(3), accuracy: 1e-12)
            // Jensen: the mean of the rows' entropies is at most the entropy of the mean weights.
            let ofMean = -gate.meanWeights.reduce(0) { $0 + $1 * log($1) }
            XCTAssertGreaterThan(entropy, 0)
            XCTAssertLessThanOrEqual(entropy, ofMean + 1e-9)
        }
    }

    func testPLEReadsEveryLevelsTaskGatesAndTheSharedGateBetweenLevels() throws {
        let model = try train("ple", epochs: 1)
        let data = Self.data.dataset
        let explanation = try RoutingExplanation.measure(model, name: "ple", split: data.validation, schema: data.schema,
                                                         splitName: "validation")
        // Two levels of 2 own + 1 shared experts per task gate; one shared gate over all 7 experts between them.
        XCTAssertEqual(explanation.gates.map(\.gate), Array(repeating: "PLE level 1 task gate", count: 3) + ["PLE level 1 shared gate"]
                       + Array(repeating: "PLE level 2 task gate", count: 3))
        XCTAssertEqual(explanation.gates[0].labels, ["own expert 0", "own expert 1", "shared expert 0"])
        XCTAssertNil(explanation.gates[3].task)
        XCTAssertEqual(explanation.gates[3].labels.count, 7)
        for gate in explanation.gates {
            XCTAssertEqual(gate.meanWeights.reduce(0, +), 1, accuracy: 1e-5)
            XCTAssertLessThanOrEqual(try XCTUnwrap(gate.meanEntropy), try XCTUnwrap(gate.maximumEntropy) + 1e-9)
        }
    }

    func testAModelWithoutGatesIsAClearError() throws {
        let model = try train("single-task", epochs: 1)
        let data = Self.data.dataset
        XCTAssertThrowsError(try RoutingExplanation.measure(model, name: "single-task", split: data.validation,
                                                            schema: data.schema, splitName: "validation")) {
            XCTAssertTrue("\($0)".contains("has no gates"), "\($0)")
        }
    }
}
