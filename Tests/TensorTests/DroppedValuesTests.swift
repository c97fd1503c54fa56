@testable import Tensor
import XCTest

/// A batch norm's output dropped between forward and backward (`Tensor.dropValues()`) comes
/// back bit for bit, and a backward through dropped activations gives the same gradients.
final class DroppedValuesTests: XCTestCase {
    private func parameter(_ shape: [Int], seed: UInt64) -> Tensor {
        let t = randomTensor(shape, seed: seed)
        t.requiresGrad = true
        return t
    }

    func testANormsOutputComesBackBitForBit() {
        // 150 columns (a partial vector at the end) in two leading groups.
        let x = parameter([2, 9, 150], seed: 70)
        let gamma = parameter([2, 1, 150], seed: 71), beta = parameter([2, 1, 150], seed: 72)
        let mean = randomTensor([300], seed: 73), variance = randomTensor([300], seed: 74, in: 0.5...2)
        for statistics in [nil, (mean, variance)] as [(Tensor, Tensor)?] {
            for rectified in [false, true] {
                let y = x.batchNormalized(gamma: gamma, beta: beta, statistics: statistics, rectified: rectified).output
                let kept = y.values
                y.dropValues()
                XCTAssertNil(y.storage.base, "dropped")
                XCTAssertEqual(y.values, kept)
                XCTAssertNotNil(y.storage.base, "made again when read")
            }
        }
    }

    func testValuesNothingCanRemakeAreKept() {
        let plain = randomTensor([64, 80], seed: 75)
        plain.dropValues()
        XCTAssertNotNil(plain.storage.base)
        // Scoring records nothing, so its norms' outputs cannot be made again either.
        let x = parameter([6, 20], seed: 76), gamma = parameter([20], seed: 77), beta = parameter([20], seed: 78)
        let scored = Autograd.inference { x.batchNormalized(gamma: gamma, beta: beta, rectified: true).output }
        scored.dropValues()
        XCTAssertNotNil(scored.storage.base)
    }

    func testValuesAreKeptOnceTheNormsBackwardHasRun() {
        // After the backward an optimizer moves γ and β, so the values could not be made again.
        let x = parameter([6, 20], seed: 79), gamma = parameter([20], seed: 77), beta = parameter([20], seed: 78)
        let y = x.batchNormalized(gamma: gamma, beta: beta, rectified: true).output
        (y * y).sum().backward()
        y.dropValues()
        XCTAssertNotNil(y.storage.base)
    }

    /// Two expert layers with norms and ReLUs, mixed by softmax gates, as the expert groups
    /// compute them; with `dropping`, each norm's output is dropped once its reader has run.
    private func gradients(dropping: Bool) -> [[Float]] {
        let (n, experts, width) = (12, 3, 5)
        let x = parameter([n, 4], seed: 80), w1 = parameter([4, experts * width], seed: 81)
        let b1 = parameter([experts * width], seed: 82)
        let g1 = parameter([experts * width], seed: 83), s1 = parameter([experts * width], seed: 84)
        let w2 = parameter([experts, width, 2], seed: 85), b2 = parameter([experts, 1, 2], seed: 86)
        let g2 = parameter([experts * 2], seed: 87), s2 = parameter([experts * 2], seed: 88)
        let gateWeight = parameter([4, experts], seed: 89), gateBias = parameter([experts], seed: 90)
        let first = x.linear(w1, bias: b1).batchNormalized(gamma: g1, beta: s1, rectified: true).output
        let second = first.reshaped([n, experts, width]).stackedLinear(w2, bias: b2)
        if dropping { first.dropValues() }
        let outputs = second.reshaped([n, experts * 2]).batchNormalized(gamma: g2, beta: s2, rectified: true).output
            .reshaped([n, experts, 2])
        let mixed = Tensor.mixture(outputs, gates: x.linear(gateWeight, bias: gateBias).softmax())
        if dropping {
            outputs.dropValues()
            XCTAssert(first.storage.base == nil && outputs.storage.base == nil, "both dropped until the backward")
        }
        (mixed * mixed).sum().backward()
        return [x, w1, b1, g1, s1, w2, b2, g2, s2, gateWeight, gateBias].map { $0.grad!.values }
    }

    func testGradientsThroughDroppedActivationsEqualTheKeptOnes() {
        let kept = gradients(dropping: false), dropped = gradients(dropping: true)
        XCTAssertEqual(kept.count, dropped.count)
        for (index, (a, b)) in zip(kept, dropped).enumerated() {
            XCTAssertEqual(a, b, "gradient \(index)")
        }
    }
}
