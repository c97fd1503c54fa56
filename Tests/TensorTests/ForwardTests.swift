import Foundation
import Tensor
import XCTest

/// Forward values of ops and kernels against references computed another way.
final class ForwardTests: XCTestCase {
    /// The naive triple loop.
    private func naiveProduct(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int, ta: Bool, tb: Bool) -> [Float] {
        var c = [Float](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var s: Float = 0
                for p in 0..<k { s += (ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]) }
                c[i * n + j] = s
            }
        }
        return c
    }

    func testBlasMatmulMatchesNaiveLoops() {
        let (m, n, k) = (37, 29, 53)
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            let a = randomTensor(ta ? [k, m] : [m, k], seed: 1), b = randomTensor(tb ? [n, k] : [k, n], seed: 2)
            let c = a.matmul(b, transposeSelf: ta, transposeOther: tb)
            XCTAssertEqual(c.shape, [m, n])
            assertClose(c.values, naiveProduct(a.values, b.values, m: m, n: n, k: k, ta: ta, tb: tb), tolerance: 1e-4)
        }
    }

    func testProductsSplitAlongALongInnerSizeMatchNaiveLoops() {
        // On two threads a product with k > 8 · max(m, n) is cut along k, one stretch per worker.
        let threads = Parallelism.threadCount
        defer { Parallelism.setThreadCount(threads) }
        Parallelism.setThreadCount(2)
        let (m, n, k) = (6, 5, 4_999)
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            let a = randomTensor(ta ? [k, m] : [m, k], seed: 3), b = randomTensor(tb ? [n, k] : [k, n], seed: 4)
            let c = a.matmul(b, transposeSelf: ta, transposeOther: tb)
            assertClose(c.values, naiveProduct(a.values, b.values, m: m, n: n, k: k, ta: ta, tb: tb), tolerance: 1e-4)
        }
        // A weight's gradient summed over a long batch, added to the one it already has.
        let x = randomTensor([k, m], seed: 5), w = randomTensor([m, n], seed: 6)
        w.requiresGrad = true
        x.matmul(w).sum().backward()
        x.matmul(w).sum().backward()
        let columnSums = (0..<m).map { i in (0..<k).reduce(Float(0)) { $0 + x.values[$1 * m + i] } }
        assertClose(w.grad!.values, (0..<(m * n)).map { 2 * columnSums[$0 / n] }, tolerance: 1e-4)
    }

    func testBatchedMatmulMatchesPerMatrixProducts() {
        let a = randomTensor([3, 4, 5], seed: 3), b = randomTensor([3, 6, 5], seed: 4)
        let c = a.batchedMatmul(b, transposeOther: true)
        for i in 0..<3 {
            let expected = a.rows(i..<(i + 1)).reshaped([4, 5]).matmul(b.rows(i..<(i + 1)).reshaped([6, 5]), transposeOther: true)
            assertClose(c.rows(i..<(i + 1)).values, expected.values)
        }
    }

    func testVectorExpIsAccurate() {
        let xs = stride(from: Float(-80), through: 80, by: 0.37).map { $0 }
        let y = Tensor(shape: [xs.count], values: xs).exp()
        for (i, x) in xs.enumerated() {
            XCTAssertEqual(y[flat: i], Foundation.exp(x), accuracy: Foundation.exp(x) * 1e-6, "exp(\(x))")
        }
    }

    func testMaskedSoftmaxZeroesMaskedPositionsAndEmptyRows() {
        let x = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        let mask = Tensor(shape: [2, 3], values: [1, 0, 1, 0, 0, 0])
        let y = x.softmax(mask: mask).values
        let e1 = Foundation.exp(Float(1)), e3 = Foundation.exp(Float(3))
        assertClose(y, [e1 / (e1 + e3), 0, e3 / (e1 + e3), 0, 0, 0])
        let logY = x.logSoftmax(mask: mask).values
        XCTAssertEqual(logY[0], Foundation.log(e1 / (e1 + e3)), accuracy: 1e-6)
        XCTAssertEqual(logY[1], 0)
    }

    func testBroadcastShapesAndValues() {
        let a = Tensor(shape: [2, 1], values: [1, 2]), b = Tensor(shape: [3], values: [10, 20, 30])
        let c = a * b
        XCTAssertEqual(c.shape, [2, 3])
        XCTAssertEqual(c.values, [10, 20, 30, 20, 40, 60])
    }

    func testStandardizeHasZeroMeanUnitVariance() {
        let y = randomTensor([4, 32], seed: 5, in: -3...7).standardized(epsilon: 0).values
        for r in 0..<4 {
            let row = y[(r * 32)..<(r * 32 + 32)]
            let mean = row.reduce(0, +) / 32
            let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 32
            XCTAssertEqual(mean, 0, accuracy: 1e-5)
            XCTAssertEqual(variance, 1, accuracy: 1e-4)
        }
    }

    func testBinaryCrossEntropyIsStableAndMatchesDefinition() {
        let logits = Tensor(shape: [3, 1], values: [0.3, -200, 200])
        let targets = Tensor(shape: [3, 1], values: [1, 0, 0])
        let loss = Tensor.binaryCrossEntropyWithLogits(logits, targets: targets).scalar
        let expected = (-Foundation.log(1 / (1 + Foundation.exp(-0.3))) + 0 + 200) / 3
        XCTAssertEqual(loss, Float(expected), accuracy: 1e-4)
        XCTAssertTrue(loss.isFinite)
    }

    func testRowSparseGatherGradientEqualsDenseGradient() {
        let indices: [Int32] = [4, 1, 4, 4, 0]
        let dense = randomTensor([6, 3], seed: 6), sparse = dense.detached()
        dense.requiresGrad = true
        sparse.requiresGrad = true
        sparse.prefersRowSparseGradient = true
        for table in [dense, sparse] { (table.gather(indices, shape: [5]) * 2).sum().backward() }
        XCTAssertEqual(sparse.rowGrad?.rows, [4, 1, 0])
        XCTAssertNil(sparse.grad)
        XCTAssertEqual(sparse.rowGrad!.densified(rowCount: 6), dense.grad!.values)
    }

    func testInferenceModeRecordsNothing() {
        let w = randomTensor([3, 3], seed: 7)
        w.requiresGrad = true
        let y = Autograd.inference { w.matmul(w).relu() }
        XCTAssertFalse(y.requiresGrad)
        XCTAssertTrue(y.isLeaf)
    }

    func testParallelKernelsAgreeWithSingleThread() {
        let x = randomTensor([300, 257], seed: 8)
        Parallelism.setThreadCount(1)
        let single = (x.sigmoid() * x).sum(axis: 1).values
        Parallelism.setThreadCount(2)
        let parallel = (x.sigmoid() * x).sum(axis: 1).values
        XCTAssertEqual(single, parallel)
    }
}
