import NN
import Tensor
import XCTest

final class InitializerTests: XCTestCase {
    private let allRules: [Initializer] = [
        .zeros, .ones, .constant(0.5), .uniform(-2..<3), .normal(mean: 1, standardDeviation: 2),
        .xavierUniform, .xavierNormal, .heUniform, .heNormal, .fanInUniform,
    ]

    func testSameSeedGivesBitIdenticalTensors() {
        for rule in allRules {
            var a = RandomGenerator(seed: 42), b = RandomGenerator(seed: 42)
            let x = rule.makeParameter([7, 5], generator: &a)
            let y = rule.makeParameter([7, 5], generator: &b)
            XCTAssertEqual(x.values.map(\.bitPattern), y.values.map(\.bitPattern), "\(rule)")
            XCTAssertTrue(x.requiresGrad)
        }
    }

    func testDifferentSeedsGiveDifferentRandomTensors() {
        var a = RandomGenerator(seed: 1), b = RandomGenerator(seed: 2)
        XCTAssertNotEqual(Initializer.xavierNormal.makeParameter([8, 8], generator: &a).values,
                          Initializer.xavierNormal.makeParameter([8, 8], generator: &b).values)
    }

    func testConstantRules() {
        var generator = RandomGenerator(seed: 1)
        XCTAssertEqual(Initializer.zeros.makeParameter([3], generator: &generator).values, [0, 0, 0])
        XCTAssertEqual(Initializer.ones.makeParameter([2], generator: &generator).values, [1, 1])
        XCTAssertEqual(Initializer.constant(-4).makeParameter([2], generator: &generator).values, [-4, -4])
    }

    func testFansReadTheLastTwoAxes() {
        XCTAssertTrue(Initializer.fans(of: [64, 32]) == (64, 32))
        XCTAssertTrue(Initializer.fans(of: [4, 64, 32]) == (64, 32))
        XCTAssertTrue(Initializer.fans(of: [10]) == (10, 10))
        XCTAssertTrue(Initializer.fans(of: []) == (1, 1))
    }

    func testXavierUniformHasGlorotBoundAndVariance() {
        // fanIn + fanOut = 300: bound √(6/300), variance 2/300.
        let x = sample(.xavierUniform, [100, 200])
        XCTAssertLessThanOrEqual(x.map(abs).max()!, (6.0 / 300).squareRoot())
        XCTAssertEqual(variance(x), 2.0 / 300, accuracy: 0.03 * 2 / 300)
        XCTAssertEqual(mean(x), 0, accuracy: 0.001)
    }

    func testXavierNormalHasGlorotVariance() {
        XCTAssertEqual(variance(sample(.xavierNormal, [100, 200])), 2.0 / 300, accuracy: 0.03 * 2 / 300)
    }

    func testHeRulesHaveVarianceTwoOverFanIn() {
        let uniform = sample(.heUniform, [50, 400])
        XCTAssertLessThanOrEqual(uniform.map(abs).max()!, (6.0 / 50).squareRoot())
        XCTAssertEqual(variance(uniform), 2.0 / 50, accuracy: 0.03 * 2 / 50)
        XCTAssertEqual(variance(sample(.heNormal, [50, 400])), 2.0 / 50, accuracy: 0.03 * 2 / 50)
    }

    func testFanInUniformIsPyTorchsLinearDefault() {
        // U(±1/√fanIn): bound 1/√50, variance 1/(3·50).
        let x = sample(.fanInUniform, [50, 400])
        XCTAssertLessThanOrEqual(x.map(abs).max()!, 1 / 50.0.squareRoot())
        XCTAssertEqual(variance(x), 1.0 / 150, accuracy: 0.03 / 150)
    }

    func testWeightInitializationFamilies() {
        XCTAssertEqual(WeightInitialization.standard.hidden(.relu), .heUniform)
        XCTAssertEqual(WeightInitialization.standard.hidden(.tanh), .xavierUniform)
        XCTAssertEqual(WeightInitialization.standard.readout, .xavierUniform)
        XCTAssertEqual(WeightInitialization.standard.embedding, .normal(standardDeviation: 0.01))
        XCTAssertEqual(WeightInitialization.pytorch.hidden(.relu), .fanInUniform)
        XCTAssertEqual(WeightInitialization.pytorch.readout, .fanInUniform)
        XCTAssertEqual(WeightInitialization.pytorch.embedding, .normal(standardDeviation: 1e-4))
    }

    func testUniformAndNormalFollowTheirParameters() {
        let uniform = sample(.uniform(-2..<3), [20_000])
        XCTAssertGreaterThanOrEqual(uniform.min()!, -2)
        XCTAssertLessThan(uniform.max()!, 3)
        XCTAssertEqual(mean(uniform), 0.5, accuracy: 0.03)
        XCTAssertEqual(variance(uniform), 25.0 / 12, accuracy: 0.03 * 25 / 12)
        let normal = sample(.normal(mean: 1, standardDeviation: 2), [20_000])
        XCTAssertEqual(mean(normal), 1, accuracy: 0.05)
        XCTAssertEqual(variance(normal).squareRoot(), 2, accuracy: 0.03)
    }

    func testFillOverwritesAnExistingTensor() {
        var generator = RandomGenerator(seed: 3)
        let t = Tensor.full([4], 9)
        Initializer.uniform(0..<1).fill(t, generator: &generator)
        XCTAssertTrue(t.values.allSatisfy { $0 >= 0 && $0 < 1 })
    }

    private func sample(_ rule: Initializer, _ shape: [Int]) -> [Double] {
        var generator = RandomGenerator(seed: 7)
        return rule.makeParameter(shape, generator: &generator).values.map(Double.init)
    }

    private func mean(_ x: [Double]) -> Double { x.reduce(0, +) / Double(x.count) }

    private func variance(_ x: [Double]) -> Double {
        let m = mean(x)
        return x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count)
    }
}
