import CNarrowGemm
@testable import Tensor
import XCTest

/// The narrow fp32 kernel against products summed in Double. Each element is a sum of `k`
/// fused multiply-adds in fp32, so it is off by at most about `k · 2⁻²⁴` of `Σ|aᵢ||bᵢ|` (plus
/// the rounding of the bias and `beta · c`); the bound below is twice that.
final class NarrowGemmTests: XCTestCase {
    override func setUpWithError() throws {
        try XCTSkipUnless(Gemm.useNarrowKernel, "no AVX512F on this CPU")
    }

    func testProductsMatchADoublePrecisionReference() {
        // Every vector count (1–4 of 16 columns, whole and partial), row counts around the
        // 8- and 4-row blocks, inner sizes up to the limit, strides wider than the rows.
        let shapes = [(1, 1, 1), (7, 16, 16), (8, 17, 3), (9, 32, 32), (33, 33, 64), (12, 48, 5), (13, 49, 64),
                      (4, 64, 16), (5, 63, 1), (1000, 16, 32), (1001, 32, 16)]
        for (index, (m, n, k)) in shapes.enumerated() {
            for transposeB in [false, true] {
                for (beta, withBias): (Float, Bool) in [(0, false), (1, false), (-0.5, true), (0, true)] {
                    let pad = index % 3
                    check(m: m, n: n, k: k, lda: k + pad, ldb: (transposeB ? k : n) + pad, ldc: n + pad,
                          transposeB: transposeB, beta: beta, withBias: withBias,
                          seed: UInt64(index * 16 + (transposeB ? 8 : 0) + (withBias ? 4 : 0)) + UInt64(beta + 1))
                }
            }
        }
    }

    /// Through ``Gemm/multiply``: the shapes of a Transformer's position-wise layers take the
    /// narrow kernel, split over two workers, and agree with OpenBLAS.
    func testGemmRoutesNarrowProductsAndAgreesWithOpenBLAS() {
        defer {
            Gemm.useNarrowKernel = true
            Parallelism.setThreadCount(ProcessInfo.processInfo.activeProcessorCount)
        }
        Parallelism.setThreadCount(2)
        for (m, n, k, transposeB) in [(3000, 32, 16, false), (3000, 16, 32, true), (2999, 48, 16, false)] {
            let a = randomValues(m * k, seed: 1), b = randomValues(k * n, seed: 2)
            func product(narrow: Bool) -> [Float] {
                Gemm.useNarrowKernel = narrow
                var c = randomValues(m * n, seed: 3)
                Gemm.multiply(a, transposeA: false, b, transposeB: transposeB, into: &c, m: m, n: n, k: k, beta: 1)
                return c
            }
            assertClose(product(narrow: true), product(narrow: false), tolerance: 1e-4)
        }
    }

    /// A linear layer's forward through ``Gemm/affine(_:_:bias:into:m:n:k:)``, on the narrow
    /// kernel and split over two workers, against the bias written first and OpenBLAS's product.
    func testAffineMatchesTheBiasWrittenFirst() {
        defer {
            Gemm.useNarrowKernel = true
            Parallelism.setThreadCount(ProcessInfo.processInfo.activeProcessorCount)
        }
        Parallelism.setThreadCount(2)
        for (m, n, k) in [(3000, 32, 16), (2999, 16, 32), (5, 48, 16), (3000, 100, 16)] {
            let a = randomValues(m * k, seed: 4), b = randomValues(k * n, seed: 5), bias = randomValues(n, seed: 6)
            var viaAffine = [Float](repeating: .nan, count: m * n), composed = viaAffine
            Gemm.affine(a, b, bias: bias, into: &viaAffine, m: m, n: n, k: k)
            Gemm.useNarrowKernel = false
            writeBias(bias, intoRows: m, of: &composed, width: n)
            Gemm.multiply(a, transposeA: false, b, transposeB: false, into: &composed, m: m, n: n, k: k, beta: 1)
            Gemm.useNarrowKernel = true
            assertClose(viaAffine, composed, tolerance: 1e-4)
        }
    }

    private func check(m: Int, n: Int, k: Int, lda: Int, ldb: Int, ldc: Int, transposeB: Bool, beta: Float,
                       withBias: Bool, seed: UInt64) {
        let a = randomValues(m * lda, seed: seed), b = randomValues((transposeB ? n : k) * ldb, seed: seed + 100)
        let before = randomValues(m * ldc, seed: seed + 200)
        let bias = withBias ? randomValues(n, seed: seed + 300) : [Float](repeating: 0, count: n)
        var c = before
        if withBias {
            dtrn_narrow_gemm(transposeB ? 1 : 0, m, n, k, a, lda, b, ldb, bias, beta, &c, ldc)
        } else {
            dtrn_narrow_gemm(transposeB ? 1 : 0, m, n, k, a, lda, b, ldb, nil, beta, &c, ldc)
        }
        for i in 0..<m {
            for j in 0..<ldc {
                let got = c[i * ldc + j]
                guard j < n else {
                    XCTAssertEqual(got, before[i * ldc + j], "column \(j) past n = \(n) is left alone")
                    continue
                }
                var (sum, magnitude) = (Double(bias[j]) + Double(beta) * Double(before[i * ldc + j]), abs(Double(bias[j])))
                for l in 0..<k {
                    let product = Double(a[i * lda + l]) * Double(transposeB ? b[j * ldb + l] : b[l * ldb + j])
                    sum += product
                    magnitude += abs(product)
                }
                let bound = 2 * (Double(k) * 0x1p-24 * magnitude + 0x1p-24 * abs(Double(beta * before[i * ldc + j])))
                if abs(Double(got) - sum) > bound {
                    XCTFail("\(m)×\(n)×\(k) transposeB \(transposeB) beta \(beta) at (\(i), \(j)): \(got) vs \(sum)")
                    return
                }
            }
        }
    }

    private func randomValues(_ count: Int, seed: UInt64) -> [Float] {
        var rng = RandomGenerator(seed: seed)
        return (0..<count).map { _ in Float(rng.nextUniform()) * 2 - 1 }
    }
}
