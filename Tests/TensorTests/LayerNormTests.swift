@testable import Tensor
import XCTest

/// The fused layer norm against the composition it replaces, `standardized() * γ + β`, and
/// against finite differences, for every layout it fuses and one it does not.
final class LayerNormTests: XCTestCase {
    /// (input shape, scale shape, fused layout expected: groups, rows per group, input repeated).
    private let layouts: [([Int], [Int], (Int, Int, Bool)?)] = [
        ([6, 5], [5], (1, 6, false)),                  // a plain layer norm
        ([3, 4, 16], [2, 1, 1, 16], (2, 12, true)),    // conditioned per task on a shared input
        ([2, 3, 4, 20], [2, 1, 1, 20], (2, 12, false)), // conditioned per task, input per task
        ([3, 4, 7], [3, 1, 7], (3, 4, false)),         // conditioned per sample
        ([1, 4, 7], [3, 1, 7], (3, 4, true)),          // an input of one block for three groups
        ([3, 4, 7], [4, 7], nil),                      // a scale per position: composed
        ([3, 1, 7], [3, 4, 7], nil),                   // an input repeated inside a group: composed
    ]

    func testLayoutsThatFuse() {
        for (input, scale, expected) in layouts {
            let layout = LayerNormRows(input: input, scale: scale)
            XCTAssertEqual(layout.map { [$0.groups, $0.rowsPerGroup] }, expected.map { [$0.0, $0.1] }, "\(input) \(scale)")
            XCTAssertEqual(layout?.inputRepeated, expected?.2, "\(input) \(scale)")
        }
    }

    func testValuesEqualTheComposition() {
        for (k, (input, scale, _)) in layouts.enumerated() {
            let x = randomTensor(input, seed: UInt64(10 + k), in: -3...5)
            let gamma = randomTensor(scale, seed: UInt64(20 + k), in: 0.5...2), beta = randomTensor(scale, seed: UInt64(30 + k))
            let fused = x.layerNormalized(gamma: gamma, beta: beta)
            let composed = x.standardized() * gamma + beta
            XCTAssertEqual(fused.shape, composed.shape)
            assertClose(fused.values, composed.values, tolerance: 1e-5)
        }
    }

    func testGradientsMatchFiniteDifferences() {
        for (k, (input, scale, _)) in layouts.enumerated() {
            let x = randomTensor(input, seed: UInt64(40 + k))
            let gamma = randomTensor(scale, seed: UInt64(50 + k), in: 0.5...2), beta = randomTensor(scale, seed: UInt64(60 + k))
            assertGradientsMatch([x, gamma, beta], tolerance: 2e-2) { x.layerNormalized(gamma: gamma, beta: beta) }
        }
    }

    func testNormOfASumEqualsTheNormOfTheSummedInput() {
        for (k, (input, scale, _)) in layouts.enumerated() {
            let x = randomTensor(input, seed: UInt64(80 + k), in: -3...5), y = randomTensor(input, seed: UInt64(90 + k))
            let gamma = randomTensor(scale, seed: UInt64(20 + k), in: 0.5...2), beta = randomTensor(scale, seed: UInt64(30 + k))
            assertClose(x.layerNormalized(plus: y, gamma: gamma, beta: beta).values,
                        (x + y).layerNormalized(gamma: gamma, beta: beta).values, tolerance: 1e-5)
        }
    }

    func testNormOfASumGradientsMatchFiniteDifferences() {
        for (k, (input, scale, _)) in layouts.enumerated() {
            let x = randomTensor(input, seed: UInt64(100 + k)), y = randomTensor(input, seed: UInt64(110 + k))
            let gamma = randomTensor(scale, seed: UInt64(50 + k), in: 0.5...2), beta = randomTensor(scale, seed: UInt64(60 + k))
            assertGradientsMatch([x, y, gamma, beta], tolerance: 2e-2) { x.layerNormalized(plus: y, gamma: gamma, beta: beta) }
        }
        // The input as its own residual: LN(2x), both terms' gradients into one tensor.
        let x = randomTensor([3, 4, 7], seed: 120), gamma = randomTensor([3, 1, 7], seed: 121, in: 0.5...2)
        let beta = randomTensor([3, 1, 7], seed: 122)
        assertGradientsMatch([x, gamma, beta], tolerance: 2e-2) { x.layerNormalized(plus: x, gamma: gamma, beta: beta) }
    }

    func testGradientsEqualTheCompositionOnTwoThreads() {
        // Large enough to split over the workers; the input is read twice, so its gradient
        // is added to, not written.
        defer { Parallelism.setThreadCount(ProcessInfo.processInfo.activeProcessorCount) }
        Parallelism.setThreadCount(2)
        for (input, scale) in [([64, 20, 16], [3, 1, 1, 16]), ([3, 64, 20, 24], [3, 1, 1, 24]), ([500, 33], [33])] {
            let x = randomTensor(input, seed: 70), gamma = randomTensor(scale, seed: 71, in: 0.5...2)
            let beta = randomTensor(scale, seed: 72)
            let probe = randomTensor(x.layerNormalized(gamma: gamma, beta: beta).shape, seed: 73)
            func gradients(_ norm: () -> Tensor) -> [[Float]] {
                for t in [x, gamma, beta] { t.requiresGrad = true; t.zeroGrad() }
                ((norm() * probe).sum() + (x * x).sum()).backward()
                return [x, gamma, beta].map { $0.grad!.values }
            }
            let fused = gradients { x.layerNormalized(gamma: gamma, beta: beta) }
            let composed = gradients { x.standardized() * gamma + beta }
            for (f, c) in zip(fused, composed) { assertClose(f, c, tolerance: 1e-4) }
            // The norm of a sum, its input read by the sum and again by the probe's x · x.
            let sumFused = gradients { x.layerNormalized(plus: x * 0.5, gamma: gamma, beta: beta) }
            let sumComposed = gradients { (x + x * 0.5).standardized() * gamma + beta }
            for (f, c) in zip(sumFused, sumComposed) { assertClose(f, c, tolerance: 1e-4) }
        }
    }
}
