import Models
import NN
import Tensor
import XCTest

/// AITM: information flows down the funnel only, outputs are probabilities, and the
/// calibrator penalises exactly the rises along the funnel.
final class AITMModelTests: XCTestCase {
    func testCalibratorIsTheWeightedMeanRiseAlongTheFunnel() {
        let probabilities = Tensor(shape: [2, 3], values: [0.5, 0.7, 0.2,
                                                           0.4, 0.3, 0.3])
        // Rises: 0.2 (sample 0, click → like), none elsewhere; mean over 2 samples × 2 steps.
        XCTAssertEqual(AITMModel.calibratorLoss(probabilities, weight: 0.6).scalar, 0.6 * 0.2 / 4, accuracy: 1e-6)
        let falling = Tensor(shape: [2, 3], values: [0.9, 0.5, 0.1, 0.3, 0.3, 0.2])
        XCTAssertEqual(AITMModel.calibratorLoss(falling, weight: 0.6).scalar, 0)
    }

    func testOutputsAreProbabilitiesWithTheCalibratorAsAuxiliaryLoss() throws {
        var config = tinyConfig("aitm")
        config.calibratorWeight = 0.5
        let model = try ModelZoo.make(config, layout: tinyLayout, seed: 3)
        let predictions = model(tinyBatch())
        XCTAssertTrue(predictions.areProbabilities)
        XCTAssertTrue(predictions.outputs.values.allSatisfy { $0 > 0 && $0 < 1 })
        let auxiliary = try XCTUnwrap(predictions.auxiliaryLoss).scalar
        XCTAssertGreaterThanOrEqual(auxiliary, 0)
        XCTAssertEqual(auxiliary, AITMModel.calibratorLoss(predictions.outputs, weight: 0.5).scalar, accuracy: 1e-7)
    }

    func testASingleTaskHasNoTransferAndNoCalibrator() throws {
        var layout = tinyLayout
        layout.tasks = [.init(name: "click")]
        let model = try XCTUnwrap(try ModelZoo.make(tinyConfig("aitm"), layout: layout, seed: 3) as? AITMModel)
        XCTAssertTrue(model.transfers.isEmpty)
        XCTAssertNil(model(tinyBatch()).auxiliaryLoss)
    }

    func testInformationFlowsOnlyDownTheFunnel() throws {
        let model = try XCTUnwrap(try ModelZoo.make(tinyConfig("aitm"), layout: tinyLayout, seed: 3) as? AITMModel)
        let batch = tinyBatch()
        let before = model(batch).outputs
        // Perturbing the second task's tower moves the second and third tasks, never the first.
        for (_, p) in model.towers[1].parameters() { p[flat: 0] += 0.5 }
        let after = model(batch).outputs
        func task(_ t: Int, _ outputs: Tensor) -> [Float] { outputs.slice(axis: 1, t..<(t + 1)).values }
        XCTAssertEqual(task(0, after), task(0, before))
        XCTAssertNotEqual(task(1, after), task(1, before))
        XCTAssertNotEqual(task(2, after), task(2, before))
    }

    func testRegressionTasksAreAClearError() {
        var layout = tinyLayout
        layout.tasks[2].kind = .regression
        XCTAssertThrowsError(try ModelZoo.make(tinyConfig("aitm"), layout: layout, seed: 1)) { error in
            XCTAssertTrue("\(error)".contains("model 'aitm' needs binary tasks"), "\(error)")
        }
    }
}
