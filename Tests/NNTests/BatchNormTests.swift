import NN
import Tensor
import XCTest

/// BatchNorm's outputs and running statistics against a direct computation in Double.
final class BatchNormTests: XCTestCase {
    private let rows = 6, columns = 20
    private lazy var data: [Float] = {
        var rng = RandomGenerator(seed: 3)
        return (0..<(rows * columns)).map { _ in rng.nextUniform() * 4 - 1 }
    }()

    private func column(_ j: Int) -> [Double] { (0..<rows).map { Double(data[$0 * columns + j]) } }

    func testTrainingNormalisesEachColumnWithTheBatchStatistics() {
        let norm = BatchNorm(features: columns)
        for k in 0..<columns { norm.gamma[flat: k] = 1 + Float(k) / 10; norm.beta[flat: k] = Float(k) }
        let y = norm(Tensor(shape: [rows, columns], values: data))
        for j in 0..<columns {
            let x = column(j)
            let mean = x.reduce(0, +) / Double(rows)
            let variance = x.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(rows)
            for i in 0..<rows {
                let expected = (x[i] - mean) / (variance + 1e-5).squareRoot() * (1 + Double(j) / 10) + Double(j)
                XCTAssertEqual(Double(y[flat: i * columns + j]), expected, accuracy: 1e-4, "row \(i) column \(j)")
            }
        }
    }

    func testRunningStatisticsMoveLikePyTorchs() {
        let norm = BatchNorm(features: columns)
        _ = norm(Tensor(shape: [rows, columns], values: data))
        for j in 0..<columns {
            let x = column(j)
            let mean = x.reduce(0, +) / Double(rows)
            let unbiased = x.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(rows - 1)
            XCTAssertEqual(Double(norm.runningMean[flat: j]), 0.1 * mean, accuracy: 1e-6)
            XCTAssertEqual(Double(norm.runningVariance[flat: j]), 0.9 + 0.1 * unbiased, accuracy: 1e-5)
        }
    }

    func testEvaluationUsesTheRunningStatistics() {
        let norm = BatchNorm(features: columns)
        for k in 0..<columns { norm.runningMean[flat: k] = 0.5; norm.runningVariance[flat: k] = 4 }
        norm.eval()
        let y = norm(Tensor(shape: [rows, columns], values: data))
        for k in 0..<(rows * columns) {
            XCTAssertEqual(Double(y[flat: k]), (Double(data[k]) - 0.5) / (4 + 1e-5).squareRoot(), accuracy: 1e-5)
        }
    }

    func testScoringNormalisesTheProductsOutputInPlaceWithTheSameResult() {
        var g = RandomGenerator(seed: 4)
        let style = LayerStyle(batchNorm: true)
        let mlp = MLP(inputSize: 20, hidden: [7, 3], style: style, generator: &g)
        let experts = ExpertGroup(count: 3, inputSize: 20, hidden: [5, 4], style: style, generator: &g)
        let gate = SoftmaxGate(inputSize: 20, experts: 3, style: style, generator: &g)
        let x = Tensor(shape: [rows, columns], values: data)
        let apply: [() -> Tensor] = [{ mlp(x) }, { experts(x) }, { gate(x) }]
        // Training steps move the running statistics away from 0 and 1.
        for f in apply { for _ in 0..<3 { _ = f() } }
        for module in [mlp, experts, gate] as [Module] { module.eval() }
        for f in apply {
            let recorded = f()  // the tape is recording: each norm writes a new output
            XCTAssertTrue(recorded.requiresGrad)
            let scored = Autograd.inference(f)
            XCTAssertEqual(scored.values, recorded.values)
        }
    }
}
