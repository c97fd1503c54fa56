import Models
import NN
import Tensor
import XCTest

/// Whole models: finite-difference gradients through every parameter, and training on a
/// tiny batch lowers the loss.
final class ModelGradientTests: XCTestCase {
    func testEveryModelsGradientsMatchFiniteDifferences() throws {
        let batch = tinyBatch()
        for (name, config) in allTinyConfigs {
            let layout = tinyLayout(for: config)
            let model = try ModelZoo.make(config, layout: layout, seed: 3)
            let loss = MultiTaskLoss(tasks: layout.tasks), labels = tinyLabels(tasks: layout.tasks.count)
            let parameters = model.parameters().map(\.tensor)
            // Values of order one keep every layer norm's rows well spread, so that central
            // differences are accurate; the gradients' correctness does not depend on the scale.
            var generator = RandomGenerator(seed: 5)
            for p in parameters { Initializer.uniform(-0.8..<0.8).fill(p, generator: &generator) }
            let report = GradientCheck.run(inputs: parameters, epsilon: 3e-3, maxElementsPerInput: 3) {
                loss(model(batch), labels: labels).total
            }
            XCTAssertLessThan(report.maxError, 3e-2, "\(name): \(report)")
        }
    }

    func testEveryModelLearnsATinyBatch() throws {
        let batch = tinyBatch(size: 16)
        for (name, config) in allTinyConfigs {
            let layout = tinyLayout(for: config)
            let model = try ModelZoo.make(config, layout: layout, seed: 4)
            let optimizer = Adam(parameters: model.parameters(), learningRate: 0.02)
            let multiTaskLoss = MultiTaskLoss(tasks: layout.tasks), labels = tinyLabels(size: 16, tasks: layout.tasks.count)
            func loss() -> Tensor { multiTaskLoss(model(batch), labels: labels).total }
            let first = Autograd.inference { loss().scalar }
            for _ in 0..<40 {
                loss().backward()
                optimizer.step()
            }
            let last = Autograd.inference { loss().scalar }
            XCTAssertLessThan(last, first * 0.8, "\(name): loss \(first) → \(last)")
        }
    }

    func testUnknownModelIsAClearError() {
        XCTAssertThrowsError(try ModelZoo.make(tinyConfig("nope"), layout: tinyLayout, seed: 1)) { error in
            XCTAssertTrue("\(error)".contains("unknown model 'nope'"), "\(error)")
        }
    }
}
