import Tensor
import XCTest

/// Every primitive op's backward function against central finite differences.
final class GradientTests: XCTestCase {
    func testMatmulAllTransposes() {
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            let a = randomTensor(ta ? [4, 3] : [3, 4], seed: 1)
            let b = randomTensor(tb ? [5, 4] : [4, 5], seed: 2)
            assertGradientsMatch([a, b]) { a.matmul(b, transposeSelf: ta, transposeOther: tb) }
        }
    }

    func testMatmulWithLeadingAxes() {
        let a = randomTensor([2, 3, 4], seed: 3), w = randomTensor([4, 2], seed: 4)
        assertGradientsMatch([a, w]) { a.matmul(w) }
    }

    func testBatchedMatmulAllTransposes() {
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            let a = randomTensor(ta ? [2, 3, 4, 2] : [2, 3, 2, 4], seed: 5)
            let b = randomTensor(tb ? [2, 3, 5, 4] : [2, 3, 4, 5], seed: 6)
            assertGradientsMatch([a, b]) { a.batchedMatmul(b, transposeSelf: ta, transposeOther: tb) }
        }
    }

    func testBroadcastingArithmetic() {
        let cases: [([Int], [Int])] = [([2, 3], [2, 3]), ([2, 3], [3]), ([2, 1], [1, 3]), ([2, 3, 4], [3, 1]), ([4], [2, 1, 4]), ([], [2, 2])]
        for (sa, sb) in cases {
            let a = randomTensor(sa, seed: 7), b = randomTensor(sb, seed: 8, in: 0.5...2)
            assertGradientsMatch([a, b]) { a + b }
            assertGradientsMatch([a, b]) { a - b }
            assertGradientsMatch([a, b]) { a * b }
            assertGradientsMatch([a, b]) { a / b }
        }
    }

    func testScalarArithmetic() {
        let x = randomTensor([3, 5], seed: 9)
        assertGradientsMatch([x]) { (x * 3 + 1.5) / 2 - 0.25 }
        assertGradientsMatch([x]) { 2 - (-x) }
    }

    func testActivations() {
        // Keep relu's inputs away from its kink.
        let x = randomTensor([4, 17], seed: 10).affine(scale: 1).detached()
        for i in 0..<x.count where abs(x[flat: i]) < 0.05 { x[flat: i] = 0.3 }
        assertGradientsMatch([x]) { x.relu() }
        assertGradientsMatch([x]) { x.sigmoid() }
        assertGradientsMatch([x]) { x.tanh() }
        assertGradientsMatch([x]) { x.gelu() }
        assertGradientsMatch([x]) { x.exp() }
        let positive = randomTensor([4, 17], seed: 11, in: 0.5...3)
        assertGradientsMatch([positive]) { positive.log() }
    }

    func testSoftmaxAndLogSoftmaxWithMask() {
        let x = randomTensor([2, 3, 5], seed: 12)
        let mask = Tensor(shape: [2, 5], values: [1, 1, 0, 1, 0, 0, 1, 1, 1, 1])
        assertGradientsMatch([x]) { x.softmax() }
        assertGradientsMatch([x]) { x.softmax(mask: mask) }
        assertGradientsMatch([x]) { x.logSoftmax() }
        assertGradientsMatch([x]) { x.logSoftmax(mask: mask) }
    }

    func testReductions() {
        let x = randomTensor([2, 3, 4], seed: 13)
        for axis in [0, 1, 2, -1] {
            assertGradientsMatch([x]) { x.sum(axis: axis) }
            assertGradientsMatch([x]) { x.mean(axis: axis, keepDims: true) }
        }
        assertGradientsMatch([x]) { x.sum() }
        assertGradientsMatch([x]) { x.mean() }
    }

    func testReshapeAndPermute() {
        let x = randomTensor([2, 3, 4], seed: 14)
        assertGradientsMatch([x]) { x.reshaped([6, -1]) }
        assertGradientsMatch([x]) { x.permuted([2, 0, 1]) }
        assertGradientsMatch([x]) { x.transposed(0, 1) }
    }

    func testConcatSliceSplit() {
        let a = randomTensor([2, 3], seed: 15), b = randomTensor([2, 2], seed: 16), c = randomTensor([1, 3], seed: 17)
        assertGradientsMatch([a, b]) { Tensor.concat([a, b], axis: 1) }
        assertGradientsMatch([a, c]) { Tensor.concat([a, c], axis: 0) }
        let x = randomTensor([3, 4, 2], seed: 18)
        assertGradientsMatch([x]) { x.rows(1..<3) }
        assertGradientsMatch([x]) { Tensor.concat(x.split([1, 3], axis: 1).reversed(), axis: 1) }
    }

    func testStandardize() {
        let x = randomTensor([3, 6], seed: 19)
        assertGradientsMatch([x], tolerance: 2e-2) { x.standardized() }
    }

    func testGatherFieldsDenseAndRowSparse() {
        // Three fields over two tables of width 3 (the first serves two fields), four samples.
        let first = randomTensor([5, 3], seed: 46), second = randomTensor([2, 3], seed: 47)
        let ids: [Int32] = [0, 1, 4, 2, 0, 2, 4, 1, 4, 1, 1, 0]
        let values = randomTensor([4, 2], seed: 53), vectors = randomTensor([2, 3], seed: 54)
        func embed() -> Tensor {
            Tensor.gatherFields([first, second, first], ids: ids, rows: 4, numeric: (values, vectors))
        }
        assertGradientsMatch([first, second, values, vectors], embed)
        first.prefersRowSparseGradient = true
        second.prefersRowSparseGradient = true
        assertGradientsMatch([first, second, values, vectors], embed)
        // The same as separate gathers and the broadcast product, concatenated.
        let columns = (0..<3).map { f in [first, second, first][f].gather((0..<4).map { ids[$0 * 3 + f] }, shape: [4, 1]) }
        let expected = Tensor.concat(columns + [values.reshaped([4, 2, 1]) * vectors], axis: 1)
        assertClose(embed().values, expected.values)
    }

    func testLinearMap() {
        let x = randomTensor([2, 3, 4], seed: 48), w = randomTensor([4, 5], seed: 49), b = randomTensor([5], seed: 50)
        assertGradientsMatch([x, w, b]) { x.linear(w, bias: b) }
        assertClose(x.linear(w, bias: b).values, (x.matmul(w) + b).values)
    }

    func testRectifiedLinearMap() {
        let x = randomTensor([2, 3, 4], seed: 53), w = randomTensor([4, 5], seed: 54), b = randomTensor([5], seed: 55)
        assertGradientsMatch([x, w, b]) { x.rectifiedLinear(w, bias: b) }
        // Narrow (the product kernel applies the ReLU) and wide (it runs after OpenBLAS), against
        // the map and the ReLU op one after the other; the wide one has too many outputs near
        // the kink for finite differences of 1e-2.
        for n in [5, 70] {
            let x = randomTensor([40, 4], seed: 56), w = randomTensor([4, n], seed: 57), b = randomTensor([n], seed: 58)
            let probe = randomTensor([40, n], seed: 59)
            func gradients(_ map: () -> Tensor) -> [[Float]] {
                for t in [x, w, b] { t.requiresGrad = true; t.zeroGrad() }
                (map() * probe).sum().backward()
                return [x, w, b].map { $0.grad!.values }
            }
            assertClose(x.rectifiedLinear(w, bias: b).values, x.linear(w, bias: b).relu().values)
            for (fused, composed) in zip(gradients { x.rectifiedLinear(w, bias: b) }, gradients { x.linear(w, bias: b).relu() }) {
                assertClose(fused, composed)
            }
        }
    }

    func testMixture() {
        // Widths 3 and 18 (a partial vector, then a full one and a partial one).
        for d in [3, 18] {
            let experts = randomTensor([4, 3, d], seed: 51), gates = randomTensor([4, 3], seed: 52)
            assertGradientsMatch([experts, gates]) { Tensor.mixture(experts, gates: gates) }
            assertClose(Tensor.mixture(experts, gates: gates).values,
                        (experts * gates.reshaped([4, 3, 1])).sum(axis: 1).values)
        }
    }

    func testMixtureOfSeveralGroupsEqualsTheMixtureOfTheirConcatenation() {
        for d in [3, 18] {
            let a = randomTensor([4, 2, d], seed: 61), b = randomTensor([4, 1, d], seed: 62)
            let c = randomTensor([4, 3, d], seed: 63), gates = randomTensor([4, 6], seed: 64)
            assertGradientsMatch([a, b, c, gates]) { Tensor.mixture([a, b, c], gates: gates) }
            assertClose(Tensor.mixture([a, b, c], gates: gates).values,
                        Tensor.mixture(Tensor.concat([a, b, c], axis: 1), gates: gates).values)
        }
    }

    func testBatchNormWithBatchStatistics() {
        // Two leading groups, 5 rows, 18 columns (one full block of 16 and a partial one).
        let x = randomTensor([2, 5, 18], seed: 40)
        let gamma = randomTensor([2, 1, 18], seed: 41), beta = randomTensor([2, 1, 18], seed: 42)
        assertGradientsMatch([x, gamma, beta], tolerance: 2e-2) {
            x.batchNormalized(gamma: gamma, beta: beta).output
        }
    }

    func testBatchNormWithFixedStatistics() {
        let x = randomTensor([6, 3], seed: 43)
        let gamma = randomTensor([3], seed: 44), beta = randomTensor([3], seed: 45)
        let mean = Tensor(shape: [3], values: [0.1, -0.2, 0.3]), variance = Tensor(shape: [3], values: [0.5, 1, 2])
        assertGradientsMatch([x, gamma, beta]) {
            x.batchNormalized(gamma: gamma, beta: beta, statistics: (mean, variance)).output
        }
    }

    func testBatchNormOfWideRowsEqualsTheColumnFormula() {
        // 150 columns: nine whole vectors and a partial one, in two leading groups.
        let (groups, n, d) = (2, 7, 150)
        let x = randomTensor([groups, n, d], seed: 53)
        let gamma = randomTensor([groups, 1, d], seed: 54), beta = randomTensor([groups, 1, d], seed: 55)
        let (xs, gs, bs) = (x.values, gamma.values, beta.values)
        var expected = [Float](repeating: 0, count: xs.count)
        for g in 0..<groups {
            for j in 0..<d {
                let column = (0..<n).map { xs[(g * n + $0) * d + j] }
                let mean = column.reduce(0, +) / Float(n)
                let variance = column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(n)
                for i in 0..<n {
                    let normalized = (column[i] - mean) / (variance + 1e-5).squareRoot()
                    expected[(g * n + i) * d + j] = normalized * gs[g * d + j] + bs[g * d + j]
                }
            }
        }
        assertClose(x.batchNormalized(gamma: gamma, beta: beta).output.values, expected, tolerance: 1e-4)
        assertClose(x.batchNormalized(gamma: gamma, beta: beta, rectified: true).output.values,
                    expected.map { max($0, 0) }, tolerance: 1e-4)
    }

    func testBatchNormWithFixedStatisticsOverWideRowsInPlaceOrNot() {
        // 150 columns in two leading groups, each group with its own statistics.
        let (groups, n, d) = (2, 5, 150)
        let x = randomTensor([groups, n, d], seed: 56)
        let gamma = randomTensor([groups, 1, d], seed: 57), beta = randomTensor([groups, 1, d], seed: 58)
        let mean = randomTensor([groups * d], seed: 59), variance = randomTensor([groups * d], seed: 60, in: 0.5...2)
        let (xs, gs, bs, ms, vs) = (x.values, gamma.values, beta.values, mean.values, variance.values)
        var expected = [Float](repeating: 0, count: xs.count)
        for g in 0..<groups {
            for i in 0..<n {
                for j in 0..<d {
                    let k = g * d + j
                    expected[(g * n + i) * d + j] = (xs[(g * n + i) * d + j] - ms[k]) / (vs[k] + 1e-5).squareRoot() * gs[k] + bs[k]
                }
            }
        }
        for rectified in [false, true] {
            let want = rectified ? expected.map { max($0, 0) } : expected
            let y = x.batchNormalized(gamma: gamma, beta: beta, statistics: (mean, variance), rectified: rectified).output
            assertClose(y.values, want, tolerance: 1e-5)
            let input = Tensor(shape: x.shape, values: xs)
            let overwritten = Autograd.inference {
                input.batchNormalized(gamma: gamma, beta: beta, statistics: (mean, variance), rectified: rectified,
                                      overwriting: true).output
            }
            XCTAssert(overwritten === input, "the output should be the input itself")
            XCTAssertEqual(input.values, y.values)
        }
    }

    func testBatchNormFollowedByAReLUInOneOp() {
        let x = randomTensor([2, 5, 18], seed: 46)
        let gamma = randomTensor([2, 1, 18], seed: 47), beta = randomTensor([2, 1, 18], seed: 48)
        assertGradientsMatch([x, gamma, beta], tolerance: 2e-2) {
            x.batchNormalized(gamma: gamma, beta: beta, rectified: true).output
        }
        let mean = randomTensor([36], seed: 49), variance = randomTensor([36], seed: 50, in: 0.5...2)
        assertGradientsMatch([x, gamma, beta]) {
            x.batchNormalized(gamma: gamma, beta: beta, statistics: (mean, variance), rectified: true).output
        }
        let fused = x.batchNormalized(gamma: gamma, beta: beta, rectified: true).output
        XCTAssert(fused.values.contains(0) && fused.values.contains { $0 > 0 }, "the ReLU should cut some outputs, not all")
        assertClose(fused.values, x.batchNormalized(gamma: gamma, beta: beta).output.relu().values)
    }

    func testGatherDenseAndRowSparse() {
        let indices: [Int32] = [2, 0, 2, 3, 2, 1]
        let table = randomTensor([5, 3], seed: 20)
        assertGradientsMatch([table]) { table.gather(indices, shape: [2, 3]) }
        table.prefersRowSparseGradient = true
        assertGradientsMatch([table]) { table.gather(indices, shape: [2, 3]) }
    }

    func testDropoutUsesItsMaskInBackward() {
        let x = randomTensor([4, 8], seed: 21)
        assertGradientsMatch([x]) {
            var rng = RandomGenerator(seed: 99)
            return x.dropout(0.5, generator: &rng)
        }
    }

    func testBinaryCrossEntropyWithWeights() {
        let logits = randomTensor([6, 2], seed: 22, in: -4...4)
        let targets = Tensor(shape: [6, 2], values: [1, 0, 0, 1, 1, 1, 0, 0, 1, 0, 0, 1])
        let weights = Tensor(shape: [6, 2], values: [1, 0, 2, 1, 1, 0, 0.5, 1, 1, 1, 0, 1])
        assertGradientsMatch([logits]) { Tensor.binaryCrossEntropyWithLogits(logits, targets: targets) }
        assertGradientsMatch([logits]) { Tensor.binaryCrossEntropyWithLogits(logits, targets: targets, weights: weights) }
    }

    func testGradientsAccumulateOverSharedInputs() {
        let x = randomTensor([3], seed: 23)
        assertGradientsMatch([x]) { x * x + x.exp() * x }
    }

    func testOpsThatWriteAFirstGradientAlsoAddToAnExistingOne() {
        // Each op reads x twice, so its backward meets both a fresh gradient (written) and an
        // existing one (added to).
        let x = randomTensor([2, 3, 4], seed: 24)
        assertGradientsMatch([x]) { x.reshaped([6, 4]).exp() + x.reshaped([6, 4]) * 2 }
        assertGradientsMatch([x]) { x.permuted([1, 0, 2]) + x.permuted([1, 0, 2]).exp() }
        assertGradientsMatch([x]) { x.relu() + x.relu().exp() }
        let gamma = randomTensor([2, 1, 4], seed: 25), beta = randomTensor([2, 1, 4], seed: 26)
        assertGradientsMatch([x, gamma, beta], tolerance: 2e-2) {
            x.batchNormalized(gamma: gamma, beta: beta).output
                + x.batchNormalized(gamma: gamma, beta: beta).output.exp()
        }
        assertGradientsMatch([x, gamma, beta], tolerance: 2e-2) {
            x.batchNormalized(gamma: gamma, beta: beta, rectified: true).output
                + x.batchNormalized(gamma: gamma, beta: beta, rectified: true).output.exp()
        }
        let gates = randomTensor([2, 3], seed: 27)
        assertGradientsMatch([x, gates]) { Tensor.mixture(x, gates: gates) + Tensor.mixture(x, gates: gates).exp() }
    }
}
