import Models
import NN
import Tensor
import XCTest

/// ESMM predicts pCTR and pCTCVR = pCTR · pCVR, and only for a click → conversion layout.
final class ESMMModelTests: XCTestCase {
    private func makeModel() throws -> ESMMModel {
        try XCTUnwrap(try ModelZoo.make(tinyConfig("esmm"), layout: tinyFunnelLayout, seed: 3) as? ESMMModel)
    }

    func testOutputsAreTheClickProbabilityAndItsProductWithTheConversionProbability() throws {
        let model = try makeModel()
        let batch = tinyBatch()
        let predictions = model(batch)
        let towers = model.towerProbabilities(batch)
        XCTAssertTrue(predictions.areProbabilities)
        XCTAssertNil(predictions.auxiliaryLoss)
        XCTAssertEqual(predictions.outputs.shape, [batch.size, 2])
        for i in 0..<batch.size {
            let (click, conversion) = (towers.click[flat: i], towers.conversion[flat: i])
            XCTAssertEqual(predictions.outputs[flat: 2 * i], click, accuracy: 1e-6)
            XCTAssertEqual(predictions.outputs[flat: 2 * i + 1], click * conversion, accuracy: 1e-6)
            XCTAssertLessThanOrEqual(predictions.outputs[flat: 2 * i + 1], predictions.outputs[flat: 2 * i])
        }
    }

    func testTheConversionTowerLearnsFromUnclickedImpressionsToo() throws {
        let model = try makeModel()
        // Impressions without a click: a model trained on clicked samples only would ignore
        // them, ESMM's pCTCVR term reaches the conversion tower through them.
        let unclicked = Tensor.zeros([6, 2])
        MultiTaskLoss(tasks: tinyFunnelLayout.tasks)(model(tinyBatch()), labels: unclicked).total.backward()
        let gradient = model.conversionTower.parameters().flatMap { $0.tensor.grad?.values ?? [] }
        XCTAssertGreaterThan(gradient.map(abs).max() ?? 0, 1e-4)
    }

    func testOtherThanTwoBinaryTasksIsAClearError() {
        var regression = tinyFunnelLayout
        regression.tasks[1].kind = .regression
        for layout in [tinyLayout, regression] {
            XCTAssertThrowsError(try ModelZoo.make(tinyConfig("esmm"), layout: layout, seed: 1)) { error in
                XCTAssertTrue("\(error)".contains("model 'esmm' needs exactly 2 binary tasks"), "\(error)")
            }
        }
    }
}
