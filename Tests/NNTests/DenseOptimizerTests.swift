import NN
import Tensor
import XCTest

/// The first two steps of each optimizer on `p = [1, −2]` with gradients `g₁ = [0.5, 0.25]` and
/// `g₂ = [−1, 0.5]`, against values worked out by hand from the update formulas.
final class DenseOptimizerTests: XCTestCase {
    private let initial: [Float] = [1, -2]
    private let g1: [Float] = [0.5, 0.25]
    private let g2: [Float] = [-1, 0.5]

    /// Runs two steps and returns the parameter after each.
    private func twoSteps(_ makeOptimizer: ([(name: String, tensor: Tensor)]) -> Optimizer) -> ([Float], [Float]) {
        let p = Tensor(shape: [2], values: initial, requiresGrad: true)
        let optimizer = makeOptimizer([("p", p)])
        backpropagate(g1, into: p)
        optimizer.step()
        let first = p.values
        backpropagate(g2, into: p)
        optimizer.step()
        XCTAssertEqual(optimizer.stepCount, 2)
        XCTAssertNil(p.grad, "step clears the gradient")
        return (first, p.values)
    }

    func testPlainSGD() {
        let (first, second) = twoSteps { SGD(parameters: $0, learningRate: 0.1) }
        XCTAssertClose(first, [1 - 0.05, -2 - 0.025])
        XCTAssertClose(second, [0.95 + 0.1, -2.025 - 0.05])
    }

    func testSGDWithMomentumAndWeightDecay() {
        let (first, second) = twoSteps { SGD(parameters: $0, learningRate: 0.1, momentum: 0.9, weightDecay: 0.01) }
        // Step 1: g = g₁ + 0.01·p = [0.51, 0.23] = v; p = [1 − 0.051, −2 − 0.023].
        XCTAssertClose(first, [0.949, -2.023])
        // Step 2: g = [−1 + 0.00949, 0.5 − 0.02023]; v = 0.9·[0.51, 0.23] + g = [−0.53151, 0.68677].
        XCTAssertClose(second, [0.949 + 0.053151, -2.023 - 0.068677])
    }

    func testSGDWithNesterovMomentum() {
        let (first, second) = twoSteps { SGD(parameters: $0, learningRate: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01) }
        // Step 1: v = [0.51, 0.23]; step along g + 0.9·v = [0.969, 0.437].
        XCTAssertClose(first, [1 - 0.0969, -2 - 0.0437])
        // Step 2: g = [−0.990969, 0.479563]; v = [−0.531969, 0.686563]; g + 0.9·v = [−1.4697411, 1.0974697].
        XCTAssertClose(second, [0.9031 + 0.14697411, -2.0437 - 0.10974697])
    }

    func testAdam() {
        let (first, second) = twoSteps { Adam(parameters: $0, learningRate: 0.1) }
        // Step 1: m̂ = g₁ and v̂ = g₁², so each element moves by η·sign(g).
        XCTAssertClose(first, [0.9, -2.1])
        // Step 2: m = 0.9·0.1·g₁ + 0.1·g₂ = [−0.055, 0.0725];
        //         v = 0.999·0.001·g₁² + 0.001·g₂² = [0.00124975, 0.0003124375].
        let m = [-0.055, 0.0725], v = [0.00124975, 0.0003124375]
        XCTAssertClose(second, [0.9 - adamStep(m[0], v[0]), -2.1 - adamStep(m[1], v[1])])
    }

    func testAdamWithL2WeightDecay() {
        let (first, second) = twoSteps { Adam(parameters: $0, learningRate: 0.1, weightDecay: 0.1) }
        // Step 1: g = g₁ + 0.1·p = [0.6, 0.05], both positive.
        XCTAssertClose(first, [0.9, -2.1])
        // Step 2: g = g₂ + 0.1·[0.9, −2.1] = [−0.91, 0.29];
        //         m = 0.09·[0.6, 0.05] + 0.1·g = [−0.037, 0.0335];
        //         v = 0.000999·[0.36, 0.0025] + 0.001·g² = [0.00118774, 0.0000865975].
        let m = [-0.037, 0.0335], v = [0.00118774, 0.0000865975]
        XCTAssertClose(second, [0.9 - adamStep(m[0], v[0]), -2.1 - adamStep(m[1], v[1])])
    }

    func testAdamWDecaysOutsideTheMoments() {
        let (first, second) = twoSteps { AdamW(parameters: $0, learningRate: 0.1, weightDecay: 0.1) }
        // Step 1: p ← 0.99·p = [0.99, −1.98], then the Adam step η·sign(g₁).
        XCTAssertClose(first, [0.89, -2.08])
        // Step 2: p ← 0.99·[0.89, −2.08] = [0.8811, −2.0592]; moments as for Adam without decay.
        let m = [-0.055, 0.0725], v = [0.00124975, 0.0003124375]
        XCTAssertClose(second, [0.8811 - adamStep(m[0], v[0]), -2.0592 - adamStep(m[1], v[1])])
    }

    func testAdagrad() {
        let (first, second) = twoSteps { Adagrad(parameters: $0, learningRate: 0.1, initialAccumulatorValue: 0.1) }
        // Step 1: a = 0.1 + g₁² = [0.35, 0.1625].
        let p1 = [1 - 0.1 * 0.5 / 0.35.squareRoot(), -2 - 0.1 * 0.25 / 0.1625.squareRoot()]
        XCTAssertClose(first, p1)
        // Step 2: a = [0.35 + 1, 0.1625 + 0.25].
        XCTAssertClose(second, [p1[0] + 0.1 / 1.35.squareRoot(), p1[1] - 0.1 * 0.5 / 0.4125.squareRoot()])
    }

    func testAdagradWithWeightDecay() {
        let (first, _) = twoSteps { Adagrad(parameters: $0, learningRate: 0.1, weightDecay: 0.1) }
        // g = g₁ + 0.1·p = [0.6, 0.05]; a = g²: each element moves by η·sign(g).
        XCTAssertClose(first, [0.9, -2.1])
    }

    func testLearningRateCanChangeBetweenSteps() {
        let p = Tensor(shape: [2], values: initial, requiresGrad: true)
        let optimizer = SGD(parameters: [("p", p)], learningRate: 0.1)
        backpropagate(g1, into: p)
        optimizer.learningRate = 1
        optimizer.step()
        XCTAssertClose(p.values, [0.5, -2.25])
    }

    func testParametersWithoutGradientAreLeftAlone() {
        let p = Tensor(shape: [2], values: initial, requiresGrad: true)
        let q = Tensor(shape: [2], values: initial, requiresGrad: true)
        let optimizer = Adam(parameters: [("p", p), ("q", q)], learningRate: 0.1, weightDecay: 0.1)
        backpropagate(g1, into: p)
        optimizer.step()
        XCTAssertBitIdentical(q.values, initial)
        XCTAssertEqual(optimizer.state.slot("firstMoment", of: "q")!.values, [0, 0])
    }

    /// The Adam displacement at step 2 with β1 = 0.9, β2 = 0.999, η = 0.1, ε = 1e-8.
    private func adamStep(_ m: Double, _ v: Double) -> Double {
        0.1 * (m / (1 - 0.81)) / ((v / (1 - 0.998001)).squareRoot() + 1e-8)
    }

    func testALargeTensorSplitOverWorkersUpdatesAsOnOneThread() {
        // 100,000 elements: updated in one part per worker on two threads.
        let count = 100_000
        let start = (0..<count).map { Float($0 % 97) / 50 - 1 }
        let gradients = (0..<count).map { Float($0 % 89) / 40 - 1 }
        func twoAdamSteps(threads: Int) -> [Float] {
            let previous = Parallelism.threadCount
            Parallelism.setThreadCount(threads)
            defer { Parallelism.setThreadCount(previous) }
            let p = Tensor(shape: [count], values: start, requiresGrad: true)
            let optimizer = Adam(parameters: [("p", p)], learningRate: 0.01, weightDecay: 0.001)
            for _ in 0..<2 {
                backpropagate(gradients, into: p)
                optimizer.step()
            }
            return p.values
        }
        XCTAssertEqual(twoAdamSteps(threads: 2), twoAdamSteps(threads: 1))
    }
}

