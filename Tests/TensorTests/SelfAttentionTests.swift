import Tensor
import XCTest

/// The fused self-attention op against the composition of primitive ops it replaces, and
/// against finite differences.
final class SelfAttentionTests: XCTestCase {
    /// Heads permuted to the front, two batched products and a masked softmax.
    private func composed(_ qkv: Tensor, heads: Int, keyMask: Tensor?) -> Tensor {
        let (n, l, d) = (qkv.shape[0], qkv.shape[1], qkv.shape[2] / 3)
        let dh = d / heads
        let parts = qkv.reshaped([n, l, 3, heads, dh]).permuted([2, 0, 3, 1, 4]).split([1, 1, 1], axis: 0)
            .map { $0.reshaped([n, heads, l, dh]) }
        let scores = parts[0].batchedMatmul(parts[1], transposeOther: true) * (1 / Float(dh).squareRoot())
        return scores.softmax(mask: keyMask).batchedMatmul(parts[2]).permuted([0, 2, 1, 3]).reshaped([n, l, d])
    }

    /// Three samples of five positions: all real, two padded, all padding.
    private let mask = Tensor(shape: [3, 5], values: [1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0])

    func testValuesEqualTheComposition() {
        for (heads, d) in [(1, 4), (2, 8), (3, 6)] {
            let qkv = randomTensor([3, 5, 3 * d], seed: UInt64(heads), in: -2...2)
            for keyMask in [nil, mask] {
                let fused = qkv.selfAttention(heads: heads, keyMask: keyMask)
                XCTAssertEqual(fused.shape, [3, 5, d])
                assertClose(fused.values, composed(qkv, heads: heads, keyMask: keyMask).values, tolerance: 1e-5)
            }
        }
        // A sample with no real position attends to nothing.
        let zeros = qkv(seed: 9).selfAttention(heads: 2, keyMask: mask).values[(2 * 5 * 8)...]
        XCTAssertEqual(Array(zeros), Array(repeating: 0, count: 5 * 8))
    }

    func testGradientsMatchFiniteDifferences() {
        for keyMask in [nil, mask] {
            let qkv = qkv(seed: 11)
            assertGradientsMatch([qkv], tolerance: 2e-2) { qkv.selfAttention(heads: 2, keyMask: keyMask) }
        }
    }

    func testGradientsEqualTheCompositionOnTwoThreads() {
        let threads = Parallelism.threadCount
        defer { Parallelism.setThreadCount(threads) }
        Parallelism.setThreadCount(2)
        // Enough samples to split; the input is read twice, so its gradient is added to.
        let qkv = randomTensor([64, 7, 24], seed: 12)
        let keyMask = Tensor(shape: [64, 7], values: (0..<(64 * 7)).map { ($0 % 7) < 2 + ($0 / 7) % 6 ? 1 : 0 })
        let probe = randomTensor([64, 7, 8], seed: 13)
        func gradient(_ attention: () -> Tensor) -> [Float] {
            qkv.requiresGrad = true
            qkv.zeroGrad()
            ((attention() * probe).sum() + (qkv * qkv).sum()).backward()
            return qkv.grad!.values
        }
        let fused = gradient { qkv.selfAttention(heads: 2, keyMask: keyMask) }
        assertClose(fused, gradient { composed(qkv, heads: 2, keyMask: keyMask) }, tolerance: 1e-4)
    }

    private func qkv(seed: UInt64) -> Tensor { randomTensor([3, 5, 24], seed: seed) }
}
