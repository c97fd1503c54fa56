import Foundation
import Models
import NN
import Tensor
@testable import Training
import XCTest

/// PCGrad and GradNorm on cases small enough to work out by hand, and in short trainings.
final class RemedyTests: XCTestCase {
    /// A task gradient `values` on the 2-element parameter `p`.
    private func gradient(_ values: [Float], on p: Tensor) -> TaskGradient {
        p.zeroGrad()
        p.grad = Tensor(shape: [2], values: values)
        defer { p.zeroGrad() }
        return TaskGradient(taking: [p])
    }

    private func values(_ g: TaskGradient, _ p: Tensor) -> [Float] {
        guard case .dense(let v)? = g.parts[ObjectIdentifier(p)] else { return [] }
        return v
    }

    func testPCGradProjectsConflictingGradientsOntoEachOthersNormalPlane() {
        let p = Tensor.zeros([2], requiresGrad: true), own = Tensor.zeros([2], requiresGrad: true)
        // g1 = (1, 0), g2 = (−1, 1): ⟨g1, g2⟩ = −1, so g1 − (−1/2)·g2 = (0.5, 0.5) and g2 − (−1/1)·g1 = (0, 1).
        var g1 = gradient([1, 0], on: p), g2 = gradient([-1, 1], on: p)
        g1.parts[ObjectIdentifier(own)] = .dense([3, 4])   // task-specific: left alone
        g2.parts[ObjectIdentifier(own)] = .dense([0, 0])
        let surgery = GradientSurgery(shared: [.init(p)], seed: 1)
        let projected = surgery([g1, g2], step: 0)
        XCTAssertEqual(values(projected[0], p), [0.5, 0.5])
        XCTAssertEqual(values(projected[1], p), [0, 1])
        XCTAssertEqual(values(projected[0], own), [3, 4])
        XCTAssertEqual(values(TaskGradient.sum(projected), p), [0.5, 1.5])
        // Gradients that agree (⟨(1, 0), (1, 1)⟩ = 1) pass unchanged.
        let agreeing = surgery([gradient([1, 0], on: p), gradient([1, 1], on: p)], step: 0)
        XCTAssertEqual(agreeing.map { values($0, p) }, [[1, 0], [1, 1]])
    }

    func testGradNormPushesTheWeightsTowardsEqualTrainingRates() {
        let weighting = GradNormWeighting(tasks: 2, alpha: 1.5)
        // First step: losses 1 and 1 become L(0), every rate is 1, the target is the mean norm
        // 1.5: task 0's norm 2 is above it (gradient +G/w = +2), task 1's 1 below (−1).
        weighting.setGradient(norms: [2, 1], losses: [1, 1])
        XCTAssertEqual(weighting.weights.grad?.values, [2, -1])
        XCTAssertEqual(weighting.initialLosses.values, [1, 1])
        // Later: task 0's loss has halved, task 1's has not: r = (0.5, 1) / 0.75, targets
        // 1.5 · r^1.5 = (0.8165, 2.3094) for norms (1, 2): both below target.
        weighting.setGradient(norms: [1, 2], losses: [0.5, 1])
        XCTAssertEqual(weighting.weights.grad?.values, [1, -2])
        weighting.weights[flat: 0] = 1.5
        weighting.weights[flat: 1] = 0.3
        weighting.renormalise()
        XCTAssertEqual(weighting.values[0], 2 * 1.5 / 1.8, accuracy: 1e-6)
        XCTAssertEqual(weighting.values[1], 2 * 0.3 / 1.8, accuracy: 1e-6)
    }

    func testTrainingWithPCGradAndGradNormRunsAndResumesBitForBit() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("remedies-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        for (surgery, weighting) in [("pcgrad", "fixed"), ("none", "gradnorm")] {
            func trainer(epochs: Int, run: String) throws -> Trainer {
                var config = GradientConflictTests.training(epochs: epochs)
                (config.gradientSurgery, config.taskWeighting) = (surgery, weighting)
                return try Trainer(dataset: GradientConflictTests.data.dataset, modelConfig: GradientConflictTests.model("mmoe"),
                                   config: config, dataSource: "synthetic", run: RunDirectory(folder.appendingPathComponent(run)),
                                   reporter: ProgressReporter(quiet: true))
            }
            let straight = try trainer(epochs: 2, run: "\(surgery)-\(weighting)-straight")
            let records = try straight.fit()
            XCTAssertTrue(records.allSatisfy { $0.trainLoss.isFinite && ($0.validation.meanAUC ?? 0) > 0.5 }, "\(records)")
            try trainer(epochs: 1, run: "\(surgery)-\(weighting)-resumed").fit()
            let resumed = try trainer(epochs: 2, run: "\(surgery)-\(weighting)-resumed")
            try resumed.resume()
            try resumed.fit()
            XCTAssertEqual(GradientConflictTests.bits(resumed.model), GradientConflictTests.bits(straight.model), surgery + weighting)
            XCTAssertEqual(GradientConflictTests.bits(resumed.weighting), GradientConflictTests.bits(straight.weighting))
            if let gradNorm = straight.weighting.gradNorm {
                XCTAssertEqual(gradNorm.values.reduce(0, +), 3, accuracy: 1e-5)
                XCTAssertNotEqual(gradNorm.values, [1, 1, 1])
                XCTAssertTrue(gradNorm.initialLosses.values.allSatisfy { $0 > 0 })
            }
        }
    }
}
