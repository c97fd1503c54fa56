@testable import Tensor
import XCTest

/// The fused self-attention op over packed sequences against the composition of primitive
/// ops it replaces, sequence by sequence, and against finite differences — with the forward
/// on the AVX512F kernel (where the CPU has it) and on the Swift kernels.
final class SelfAttentionTests: XCTestCase {
    /// `body` once per forward kernel this CPU runs.
    private func forEachKernel(_ body: () -> Void) {
        let available = SelfAttentionKernel.useVectorKernel
        defer { SelfAttentionKernel.useVectorKernel = available }
        for vector in available ? [true, false] : [false] {
            SelfAttentionKernel.useVectorKernel = vector
            body()
        }
    }

    /// Sequence by sequence: heads permuted to the front, two batched products and a softmax.
    private func composed(_ qkv: Tensor, heads: Int, offsets: [Int32]) -> Tensor {
        let d = qkv.shape[1] / 3, dh = d / heads
        let parts: [Tensor] = zip(offsets, offsets.dropFirst()).compactMap { start, end in
            let l = Int(end - start)
            guard l > 0 else { return nil }
            let heads = qkv.rows(Int(start)..<Int(end)).reshaped([l, 3, heads, dh]).permuted([1, 2, 0, 3])
                .split([1, 1, 1], axis: 0).map { $0.reshaped([heads, l, dh]) }
            let scores = heads[0].batchedMatmul(heads[1], transposeOther: true) * (1 / Float(dh).squareRoot())
            return scores.softmax().batchedMatmul(heads[2]).permuted([1, 0, 2]).reshaped([l, d])
        }
        return Tensor.concat(parts, axis: 0)
    }

    /// Four sequences of 5, 3, 0 and 1 positions.
    private let offsets: [Int32] = [0, 5, 8, 8, 9]

    func testValuesEqualTheComposition() { forEachKernel {
        for (heads, d) in [(1, 4), (2, 8), (3, 6), (1, 16), (2, 34)] {
            let qkv = randomTensor([9, 3 * d], seed: UInt64(heads), in: -2...2)
            let fused = qkv.selfAttention(heads: heads, segments: offsets)
            XCTAssertEqual(fused.shape, [9, d])
            assertClose(fused.values, composed(qkv, heads: heads, offsets: offsets).values, tolerance: 1e-5)
        }
        // A sequence of one position attends to itself: its context is its values.
        let qkv = randomTensor([9, 24], seed: 9)
        XCTAssertEqual(Array(qkv.selfAttention(heads: 2, segments: offsets).values[(8 * 8)...]), Array(qkv.values[(8 * 24 + 16)...]))
    } }

    func testSequencesLongerThanOneVectorOfKeys() { forEachKernel {
        // 17, 33 and 80 keys pad to 32, 48 and 80 lanes; 16 fills one vector exactly.
        let offsets: [Int32] = [0, 17, 33, 66, 146]
        let qkv = randomTensor([146, 12], seed: 10, in: -2...2)
        assertClose(qkv.selfAttention(heads: 2, segments: offsets).values,
                    composed(qkv, heads: 2, offsets: offsets).values, tolerance: 1e-5)
    } }

    func testGradientsMatchFiniteDifferences() { forEachKernel {
        let qkv = randomTensor([9, 24], seed: 11)
        assertGradientsMatch([qkv], tolerance: 2e-2) { qkv.selfAttention(heads: 2, segments: offsets) }
    } }

    func testGradientsEqualTheCompositionOnTwoThreads() { forEachKernel {
        let threads = Parallelism.threadCount
        defer { Parallelism.setThreadCount(threads) }
        Parallelism.setThreadCount(2)
        // Enough sequences to split, of 2 to 7 positions.
        let offsets = (0...64).map { s in Int32((0..<s).map { 2 + $0 % 6 }.reduce(0, +)) }
        assertGradientsEqualTheComposition(offsets: offsets, heads: 2, d: 8, seed: 12)
    } }

    func testGradientsOfSequencesLongerThanOneVectorOfKeys() { forEachKernel {
        // Keys in several blocks of 8 and 16, the last one partial; heads of 16 and 6 values.
        assertGradientsEqualTheComposition(offsets: [0, 17, 33, 66, 146], heads: 2, d: 32, seed: 14)
        assertGradientsEqualTheComposition(offsets: [0, 40, 41], heads: 3, d: 18, seed: 15)
    } }

    /// The input's gradient through the op and through the composition, for a probe of the
    /// output; the input is read twice, so its gradient is added to.
    private func assertGradientsEqualTheComposition(offsets: [Int32], heads: Int, d: Int, seed: UInt64) {
        let rows = Int(offsets.last!)
        let qkv = randomTensor([rows, 3 * d], seed: seed)
        let probe = randomTensor([rows, d], seed: seed + 1)
        func gradient(_ attention: () -> Tensor) -> [Float] {
            qkv.requiresGrad = true
            qkv.zeroGrad()
            ((attention() * probe).sum() + (qkv * qkv).sum()).backward()
            return qkv.grad!.values
        }
        let fused = gradient { qkv.selfAttention(heads: heads, segments: offsets) }
        assertClose(fused, gradient { composed(qkv, heads: heads, offsets: offsets) }, tolerance: 1e-4)
    }
}
