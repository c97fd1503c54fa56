import Foundation
import Models
import NN
import Tensor
import XCTest

/// The multi-task loss against hand-computed values, with masks, and through its gradients.
final class MultiTaskLossTests: XCTestCase {
    private let twoBinaryTasks: [FeatureLayout.Task] = [.init(name: "click"), .init(name: "buy")]

    /// Cross-entropy of probability `p` for label `y`, in double precision.
    private func crossEntropy(_ p: Double, _ y: Double) -> Double {
        -(y * Foundation.log(p) + (1 - y) * Foundation.log(1 - p))
    }

    private func sigmoid(_ x: Double) -> Double { 1 / (1 + Foundation.exp(-x)) }

    func testLogitsGiveTheMeanCrossEntropyPerTaskWeightedInTheTotal() {
        let logits = Tensor(shape: [2, 2], values: [0, 1, 2, -1])
        let labels = Tensor(shape: [2, 2], values: [1, 0, 0, 1])
        let loss = MultiTaskLoss(tasks: twoBinaryTasks, taskWeights: [1, 2])(TaskPredictions(outputs: logits), labels: labels)
        let click = (crossEntropy(sigmoid(0), 1) + crossEntropy(sigmoid(2), 0)) / 2
        let buy = (crossEntropy(sigmoid(1), 0) + crossEntropy(sigmoid(-1), 1)) / 2
        XCTAssertEqual(loss.perTask[0], Float(click), accuracy: 1e-5)
        XCTAssertEqual(loss.perTask[1], Float(buy), accuracy: 1e-5)
        XCTAssertEqual(loss.total.scalar, Float(click + 2 * buy), accuracy: 1e-5)
    }

    func testProbabilitiesGiveTheMeanCrossEntropyPlusTheAuxiliaryLoss() {
        let probabilities = Tensor(shape: [2, 2], values: [0.2, 0.9, 0.6, 0.5])
        let labels = Tensor(shape: [2, 2], values: [0, 1, 1, 0])
        let predictions = TaskPredictions(outputs: probabilities, areProbabilities: true, auxiliaryLoss: Tensor(scalar: 0.25))
        let loss = MultiTaskLoss(tasks: twoBinaryTasks)(predictions, labels: labels)
        let click = (crossEntropy(0.2, 0) + crossEntropy(0.6, 1)) / 2
        let buy = (crossEntropy(0.9, 1) + crossEntropy(0.5, 0)) / 2
        XCTAssertEqual(loss.perTask[0], Float(click), accuracy: 1e-5)
        XCTAssertEqual(loss.perTask[1], Float(buy), accuracy: 1e-5)
        XCTAssertEqual(loss.total.scalar, Float(click + buy + 0.25), accuracy: 1e-5)
    }

    func testCertainCorrectProbabilitiesCostNothingAndStayFinite() {
        let predictions = TaskPredictions(outputs: Tensor(shape: [1, 2], values: [1, 0]), areProbabilities: true)
        let loss = MultiTaskLoss(tasks: twoBinaryTasks)(predictions, labels: Tensor(shape: [1, 2], values: [1, 0]))
        XCTAssertEqual(loss.total.scalar, 0, accuracy: 1e-6)
        let wrong = MultiTaskLoss(tasks: twoBinaryTasks)(predictions, labels: Tensor(shape: [1, 2], values: [0, 1]))
        XCTAssertTrue(wrong.total.scalar.isFinite)
        XCTAssertEqual(wrong.perTask[1], -Float(Foundation.log(1e-7)), accuracy: 1e-3)
        XCTAssertGreaterThan(wrong.perTask[0], 15)
    }

    func testRegressionTasksUseTheSquaredErrorOfTheRawOutput() {
        let tasks: [FeatureLayout.Task] = [.init(name: "click"), .init(name: "dwell", kind: .regression)]
        let outputs = Tensor(shape: [2, 2], values: [0, 1.5, 0, -1])
        let labels = Tensor(shape: [2, 2], values: [1, 2, 0, 0])
        let loss = MultiTaskLoss(tasks: tasks)(TaskPredictions(outputs: outputs), labels: labels)
        XCTAssertEqual(loss.perTask[0], Float(crossEntropy(0.5, 1) + crossEntropy(0.5, 0)) / 2, accuracy: 1e-5)
        XCTAssertEqual(loss.perTask[1], (0.25 + 1) / 2, accuracy: 1e-6)
    }

    func testMaskedLabelsAreLeftOut() {
        let tasks: [FeatureLayout.Task] = [.init(name: "click"), .init(name: "dwell", kind: .regression)]
        let labels = Tensor(shape: [3, 2], values: [1, 2, 0, 0, 1, 3])
        let mask = Tensor(shape: [3, 2], values: [1, 1, 0, 1, 1, 0])
        for areProbabilities in [false, true] {
            let outputs = Tensor(shape: [3, 2], values: [0.3, 1.5, 0.8, -1, 0.6, 9])
            // Changing masked outputs changes nothing.
            let changed = Tensor(shape: [3, 2], values: [0.3, 1.5, 0.1, -1, 0.6, -4])
            let loss = MultiTaskLoss(tasks: tasks)
            let masked = loss(TaskPredictions(outputs: outputs, areProbabilities: areProbabilities), labels: labels,
                              labelWeights: mask)
            let maskedChanged = loss(TaskPredictions(outputs: changed, areProbabilities: areProbabilities), labels: labels,
                                     labelWeights: mask)
            XCTAssertEqual(masked.perTask, maskedChanged.perTask)
            // The click task averages rows 0 and 2, the dwell task rows 0 and 1.
            let click = loss(TaskPredictions(outputs: Tensor(shape: [2, 2], values: [0.3, 0, 0.6, 0]), areProbabilities: areProbabilities),
                             labels: Tensor(shape: [2, 2], values: [1, 0, 1, 0])).perTask[0]
            XCTAssertEqual(masked.perTask[0], click, accuracy: 1e-6)
            XCTAssertEqual(masked.perTask[1], ((1.5 - 2) * (1.5 - 2) + 1) / 2, accuracy: 1e-6)
        }
    }

    func testATaskWithoutLabelsContributesNothing() {
        let predictions = TaskPredictions(outputs: Tensor(shape: [2, 2], values: [0.3, 0.2, 0.6, 0.1]), areProbabilities: true)
        let loss = MultiTaskLoss(tasks: twoBinaryTasks)(predictions, labels: Tensor(shape: [2, 2], values: [1, 1, 0, 1]),
                                                         labelWeights: Tensor(shape: [2, 2], values: [1, 0, 1, 0]))
        XCTAssertEqual(loss.perTask[1], 0)
        XCTAssertEqual(loss.total.scalar, loss.perTask[0], accuracy: 1e-6)
    }

    func testGradientsMatchFiniteDifferences() {
        let tasks: [FeatureLayout.Task] = [.init(name: "click"), .init(name: "buy"), .init(name: "dwell", kind: .regression)]
        let loss = MultiTaskLoss(tasks: tasks, taskWeights: [1, 0.5, 2])
        let labels = Tensor(shape: [3, 3], values: [1, 0, 2, 0, 0, -1, 1, 1, 0.5])
        let weights = Tensor(shape: [3, 3], values: [1, 2, 1, 0, 1, 1, 1, 0.5, 0])
        for areProbabilities in [false, true] {
            let outputs = Tensor(shape: [3, 3], values: [0.3, 0.7, 1.5, 0.8, 0.2, -1, 0.6, 0.4, 0.1])
            let report = GradientCheck.run(inputs: [outputs], epsilon: 1e-3) {
                loss(TaskPredictions(outputs: outputs, areProbabilities: areProbabilities), labels: labels,
                     labelWeights: weights).total
            }
            XCTAssertLessThan(report.maxError, 1e-2, "probabilities \(areProbabilities): \(report)")
        }
    }

    func testProbabilitiesMapLogitsOfBinaryTasksOnly() {
        let tasks: [FeatureLayout.Task] = [.init(name: "click"), .init(name: "dwell", kind: .regression)]
        let loss = MultiTaskLoss(tasks: tasks)
        let outputs = Tensor(shape: [1, 2], values: [0, 3])
        XCTAssertEqual(loss.probabilities(TaskPredictions(outputs: outputs)).values, [0.5, 3])
        XCTAssertEqual(loss.probabilities(TaskPredictions(outputs: outputs, areProbabilities: true)).values, [0, 3])
    }
}
