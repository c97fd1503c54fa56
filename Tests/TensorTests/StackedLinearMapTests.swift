import Tensor
import XCTest

/// K affine maps applied sample-first (`[N, K, k]` → `[N, K, n]`) against finite differences
/// and against the same maps computed expert-first (transpose, batched product, bias, transpose).
final class StackedLinearMapTests: XCTestCase {
    func testGradientsMatchFiniteDifferences() {
        for experts in [1, 3] {
            let x = randomTensor([4, experts, 3], seed: 60), w = randomTensor([experts, 3, 5], seed: 61)
            let b = randomTensor([experts, 1, 5], seed: 62)
            assertGradientsMatch([x, w, b]) { x.stackedLinear(w, bias: b) }
        }
    }

    /// Shapes whose products are split over two workers (whole experts for K = 2 and 4, each
    /// expert in pieces for K = 1 and 3), and the same on one thread.
    func testEqualsTheExpertFirstProductOnOneAndTwoThreads() {
        let threads = Parallelism.threadCount
        defer { Parallelism.setThreadCount(threads) }
        for workers in [1, 2] {
            Parallelism.setThreadCount(workers)
            for experts in 1...4 {
                let x = randomTensor([70, experts, 40], seed: 63), w = randomTensor([experts, 40, 50], seed: 64)
                let b = randomTensor([experts, 1, 50], seed: 65)
                let probe = randomTensor([70, experts, 50], seed: 66)
                func gradients(_ f: () -> Tensor) -> [[Float]] {
                    for t in [x, w, b] { t.requiresGrad = true; t.zeroGrad() }
                    let y = f()
                    (y * probe).sum().backward()
                    defer { for t in [x, w, b] { t.zeroGrad() } }
                    return [y.values, x.grad!.values, w.grad!.values, b.grad!.values]
                }
                let sampleFirst = gradients { x.stackedLinear(w, bias: b) }
                let expertFirst = gradients {
                    (x.permuted([1, 0, 2]).batchedMatmul(w) + b).permuted([1, 0, 2])
                }
                for (a, e) in zip(sampleFirst, expertFirst) { assertClose(a, e, tolerance: 1e-4) }
            }
        }
    }
}
