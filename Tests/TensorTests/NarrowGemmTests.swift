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
                for (beta, withBias, rectify): (Float, Bool, Bool) in [(0, false, false), (1, false, false),
                                                                        (-0.5, true, false), (0, true, false),
                                                                        (0, true, true), (1, false, true)] {
                    let pad = index % 3
                    check(m: m, n: n, k: k, lda: k + pad, ldb: (transposeB ? k : n) + pad, ldc: n + pad,
                          transposeB: transposeB, beta: beta, withBias: withBias, rectify: rectify,
                          seed: UInt64(index * 32 + (rectify ? 16 : 0) + (transposeB ? 8 : 0) + (withBias ? 4 : 0))
                              + UInt64(beta + 1))
                }
            }
        }
    }

    /// The transposed form, `Aᵀ · B` over a tall inner size: every vector count and row count
    /// around the 16-, 8- and 4-row blocks, inner sizes of none, one, and around the 256-row
    /// stretches, strides wider than the rows.
    func testTallInnerProductsMatchADoublePrecisionReference() {
        let shapes = [(1, 1, 0), (3, 5, 1), (16, 16, 1000), (17, 16, 256), (9, 33, 257), (8, 17, 3), (5, 48, 513),
                      (64, 64, 300), (33, 3, 255), (15, 63, 40)]
        for (index, (m, n, k)) in shapes.enumerated() {
            for beta: Float in [0, 1, -0.5] {
                let pad = index % 3
                checkTallInner(m: m, n: n, k: k, lda: m + pad, ldb: n + pad, ldc: n + pad, beta: beta,
                               seed: UInt64(index * 4) + UInt64(beta * 2 + 1))
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
            assertNarrowAgreesWithOpenBLAS(m: m, n: n, k: k, transposeA: false, transposeB: transposeB, tolerance: 1e-4)
        }
        // Their weight gradients, `Xᵀ · dY` over the rows, split along the rows.
        for (m, n, k) in [(16, 32, 30000), (32, 16, 2999), (48, 64, 20000)] {
            assertNarrowAgreesWithOpenBLAS(m: m, n: n, k: k, transposeA: true, transposeB: false, tolerance: 1e-3)
        }
    }

    /// `C = op(A) · op(B) + C` through ``Gemm/multiply``, on the narrow kernel and on OpenBLAS.
    private func assertNarrowAgreesWithOpenBLAS(m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool,
                                                tolerance: Float) {
        let a = randomValues(m * k, seed: 1), b = randomValues(k * n, seed: 2)
        func product(narrow: Bool) -> [Float] {
            Gemm.useNarrowKernel = narrow
            var c = randomValues(m * n, seed: 3)
            Gemm.multiply(a, transposeA: transposeA, b, transposeB: transposeB, into: &c, m: m, n: n, k: k, beta: 1)
            return c
        }
        assertClose(product(narrow: true), product(narrow: false), tolerance: tolerance)
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
                       withBias: Bool, rectify: Bool, seed: UInt64) {
        let a = randomValues(m * lda, seed: seed), b = randomValues((transposeB ? n : k) * ldb, seed: seed + 100)
        let before = randomValues(m * ldc, seed: seed + 200)
        let bias = withBias ? randomValues(n, seed: seed + 300) : [Float](repeating: 0, count: n)
        var c = before
        if withBias {
            dtrn_narrow_gemm(transposeB ? 1 : 0, m, n, k, a, lda, b, ldb, bias, beta, rectify ? 1 : 0, &c, ldc)
        } else {
            dtrn_narrow_gemm(transposeB ? 1 : 0, m, n, k, a, lda, b, ldb, nil, beta, rectify ? 1 : 0, &c, ldc)
        }
        assertMatchesReference(c, before: before, m: m, n: n, k: k, ldc: ldc, beta: beta, bias: bias, rectify: rectify,
                               "\(m)×\(n)×\(k) transposeB \(transposeB) rectify \(rectify)",
                               a: { i, l in a[i * lda + l] }, b: { l, j in transposeB ? b[j * ldb + l] : b[l * ldb + j] })
    }

    private func checkTallInner(m: Int, n: Int, k: Int, lda: Int, ldb: Int, ldc: Int, beta: Float, seed: UInt64) {
        let a = randomValues(max(k, 1) * lda, seed: seed), b = randomValues(max(k, 1) * ldb, seed: seed + 100)
        let before = randomValues(m * ldc, seed: seed + 200)
        var c = before
        dtrn_narrow_gemm_tall_inner(m, n, k, a, lda, b, ldb, beta, &c, ldc)
        assertMatchesReference(c, before: before, m: m, n: n, k: k, ldc: ldc, beta: beta,
                               bias: [Float](repeating: 0, count: n), "Aᵀ·B \(m)×\(n)×\(k)",
                               a: { i, l in a[l * lda + i] }, b: { l, j in b[l * ldb + j] })
    }

    /// `c` (rows `ldc` apart, `before` as it was) against `bias + beta · before + Σₗ a(i, l) · b(l, j)`
    /// summed in Double (clamped at 0 when `rectify`), within the bound above; columns past `n`
    /// must be left alone.
    private func assertMatchesReference(_ c: [Float], before: [Float], m: Int, n: Int, k: Int, ldc: Int,
                                        beta: Float, bias: [Float], rectify: Bool = false, _ shape: String,
                                        a: (Int, Int) -> Float, b: (Int, Int) -> Float) {
        for i in 0..<m {
            for j in 0..<ldc {
                let got = c[i * ldc + j]
                guard j < n else {
                    XCTAssertEqual(got, before[i * ldc + j], "column \(j) past n = \(n) is left alone")
                    continue
                }
                var (sum, magnitude) = (Double(bias[j]) + Double(beta) * Double(before[i * ldc + j]), abs(Double(bias[j])))
                for l in 0..<k {
                    let product = Double(a(i, l)) * Double(b(l, j))
                    sum += product
                    magnitude += abs(product)
                }
                if rectify { sum = max(sum, 0) }
                let bound = 2 * (Double(k) * 0x1p-24 * magnitude + 0x1p-24 * abs(Double(beta * before[i * ldc + j])))
                if abs(Double(got) - sum) > bound {
                    XCTFail("\(shape) beta \(beta) at (\(i), \(j)): \(got) vs \(sum)")
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
