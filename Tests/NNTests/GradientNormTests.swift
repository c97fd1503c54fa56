import NN
import Tensor
import XCTest

final class GradientNormTests: XCTestCase {
    /// A dense gradient [3, 4, 0] and a row-sparse one with the single value 12: norm √(9 + 16 + 144) = 13.
    private func parametersWithGradients() -> [(name: String, tensor: Tensor)] {
        let dense = Tensor(shape: [3], values: [1, 1, 1], requiresGrad: true)
        let table = Tensor(shape: [3, 1], values: [1, 1, 1], requiresGrad: true)
        table.prefersRowSparseGradient = true
        backpropagate([3, 4, 0], into: dense)
        backpropagate(rows: [2], [12], into: table)
        let untouched = Tensor(shape: [2], values: [1, 1], requiresGrad: true)
        return [("dense", dense), ("table", table), ("untouched", untouched)]
    }

    func testGlobalNormCoversDenseAndSparseGradients() {
        XCTAssertEqual(GradientNorm(of: parametersWithGradients()).value, 13)
    }

    func testClippingScaleBringsTheNormToTheMaximum() {
        let norm = GradientNorm(of: parametersWithGradients())
        XCTAssertEqual(norm.clippingScale(maxNorm: 6.5), 0.5, accuracy: 1e-6)
        XCTAssertEqual(norm.clippingScale(maxNorm: 100), 1)
    }

    func testStepAppliesTheClippingScaleToEveryGradient() {
        let parameters = parametersWithGradients()
        let optimizer = SGD(parameters: parameters, learningRate: 1)
        optimizer.step(gradientScale: GradientNorm(of: parameters).clippingScale(maxNorm: 6.5))
        XCTAssertClose(parameters[0].tensor.values, [1 - 1.5, 1 - 2, 1])
        XCTAssertClose(parameters[1].tensor.values, [1, 1, 1 - 6])
        XCTAssertEqual(GradientNorm(of: parameters).value, 0, "the step cleared the gradients")
    }

    func testNormOfManyElementsUsesEveryLane() {
        let p = Tensor.zeros([37], requiresGrad: true)
        backpropagate([Float](repeating: 2, count: 37), into: p)
        XCTAssertEqual(GradientNorm(of: [("p", p)]).value, (4 * 37 as Float).squareRoot(), accuracy: 1e-5)
    }
}
