import Foundation
@testable import Tensor
import XCTest

/// The bf16 matrix products against references computed another way, with bounds from bf16's
/// rounding: each operand is rounded with relative error at most u = 2⁻⁸, so a product of two
/// rounded operands is off by at most 2u + u² of its magnitude and is itself exact in fp32;
/// summing `k` of them in fp32 adds at most `k · 2⁻²⁴` of `Σ|aᵢ||bᵢ|`.
final class BFloat16GemmTests: XCTestCase {
    override func tearDown() {
        Gemm.setPrecision(.fp32)
        super.tearDown()
    }

    /// The kernels this machine can run: the emulation always, the native one on AVX512-BF16.
    private var kernels: [BFloat16Kernel] {
        BFloat16Kernel.nativeIsAvailable ? [.native, .emulated] : [.emulated]
    }

    func testThisMachineRunsTheNativeKernel() throws {
        let flags = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        try XCTSkipUnless(flags.contains("flags"), "no /proc/cpuinfo")
        XCTAssertEqual(BFloat16Kernel.nativeIsAvailable, flags.contains("avx512_bf16"))
    }

    func testRoundingToNearestEven() {
        let values: [Float] = [1, 1 + 0x1p-8, 1 + 0x1p-8 + 0x1p-20, 1 + 3 * 0x1p-8, -1 - 0x1p-9, 0x1p-130, -0x1p-140,
                               .infinity, -.infinity, .greatestFiniteMagnitude, 0, -0.0]
        let expected: [Float] = [1, 1, 1 + 0x1p-7, 1 + 4 * 0x1p-8, -1, 0, -0.0,
                                 .infinity, -.infinity, .infinity, 0, -0.0]
        let rounded = BFloat16.rounded(values)
        XCTAssertEqual(rounded, expected)
        XCTAssertEqual(rounded[6].sign, .minus, "a negative subnormal becomes -0")
        XCTAssertTrue(BFloat16.rounded([.nan])[0].isNaN)
    }

    /// The vector conversions of the native kernel round every float exactly as the scalar
    /// definition does: `op(A) · 1` and `1 · op(B)` with k = 1 give the rounded operand,
    /// over random bit patterns (subnormals, infinities and NaNs among them).
    func testNativeConversionEqualsTheScalarRounding() throws {
        try XCTSkipUnless(BFloat16Kernel.nativeIsAvailable, "no AVX512-BF16 on this CPU")
        Gemm.setPrecision(.bf16, kernel: .native)
        var rng = RandomGenerator(seed: 11)
        var values = (0..<4099).map { _ in Float(bitPattern: UInt32(truncatingIfNeeded: rng.next())) }
        values += [0x1p-127, -0x1p-149, .nan, .infinity, -.infinity, 1 + 0x1p-8, 1 + 3 * 0x1p-8]
        let expected = BFloat16.rounded(values)
        let one: [Float] = [1]
        for transpose in [false, true] {
            var asColumn = [Float](repeating: 0, count: values.count)
            var asRow = asColumn
            // op(A) is values.count × 1 (stored as a column, or transposed as a row); op(B) is 1.
            Gemm.onThisThread(values, lda: transpose ? values.count : 1, transposeA: transpose, one, ldb: 1,
                              transposeB: false, into: &asColumn, ldc: 1, m: values.count, n: 1, k: 1, beta: 0)
            // op(B) is 1 × values.count.
            Gemm.onThisThread(one, lda: 1, transposeA: false, values, ldb: transpose ? 1 : values.count,
                              transposeB: transpose, into: &asRow, ldc: values.count, m: 1, n: values.count, k: 1,
                              beta: 0)
            for (i, want) in expected.enumerated() {
                for (side, got) in [("A", asColumn[i]), ("B", asRow[i])] where !(got == want || got.isNaN && want.isNaN) {
                    XCTFail("transpose \(transpose), operand \(side), \(values[i].bitPattern): \(got) vs \(want)")
                    return
                }
            }
        }
    }

    func testProductsAreWithinTheBoundsOfTheirRoundedAndUnroundedReferences() {
        let shapes = [(1, 1, 1), (7, 9, 3), (8, 32, 2), (9, 33, 17), (16, 31, 64), (17, 65, 1), (33, 100, 129),
                      (130, 47, 513), (5, 3, 1100)]
        for kernel in kernels {
            Gemm.setPrecision(.bf16, kernel: kernel)
            for (index, (m, n, k)) in shapes.enumerated() {
                for (transposeA, transposeB) in [(false, false), (true, false), (false, true), (true, true)] {
                    let (alpha, beta): (Float, Float) = index % 3 == 0 ? (1, 0) : index % 3 == 1 ? (0.5, 1) : (-2, 0.25)
                    checkProduct(m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB, alpha: alpha,
                                 beta: beta, seed: UInt64(index * 4 + (transposeA ? 2 : 0) + (transposeB ? 1 : 0)),
                                 kernel: kernel)
                }
            }
        }
    }

    private func checkProduct(m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool, alpha: Float, beta: Float,
                              seed: UInt64, kernel: BFloat16Kernel) {
        // Padded leading dimensions, so strides other than the packed ones are exercised.
        let lda = (transposeA ? m : k) + 3, ldb = (transposeB ? k : n) + 1, ldc = n + 2
        let a = randomTensor([(transposeA ? k : m) * lda], seed: seed).values
        let b = randomTensor([(transposeB ? n : k) * ldb], seed: seed + 100).values
        let c0 = randomTensor([m * ldc], seed: seed + 200).values
        let (ra, rb) = (BFloat16.rounded(a), BFloat16.rounded(b))
        var c = c0
        Gemm.onThisThread(a, lda: lda, transposeA: transposeA, b, ldb: ldb, transposeB: transposeB, into: &c,
                          ldc: ldc, m: m, n: n, k: k, alpha: alpha, beta: beta)
        let u32 = 0x1p-24, u = Double(BFloat16.unitRoundoff)
        for i in 0..<m {
            for j in 0..<n {
                var rounded = 0.0, exact = 0.0, magnitude = 0.0
                for p in 0..<k {
                    let ai = transposeA ? p * lda + i : i * lda + p, bi = transposeB ? j * ldb + p : p * ldb + j
                    rounded += Double(ra[ai]) * Double(rb[bi])
                    exact += Double(a[ai]) * Double(b[bi])
                    magnitude += abs(Double(a[ai]) * Double(b[bi]))
                }
                let old = Double(c0[i * ldc + j]), got = Double(c[i * ldc + j])
                let scaled = abs(Double(alpha)) * magnitude * (1 + 2 * u) + abs(Double(beta) * old)
                // fp32 sums: k products, then alpha, beta and the blocks' additions.
                let sumBound = Double(k + 4) * u32 * scaled
                let wantRounded = Double(alpha) * rounded + Double(beta) * old
                let wantExact = Double(alpha) * exact + Double(beta) * old
                let context = "\(kernel) \(m)×\(n)×\(k) transposes \(transposeA),\(transposeB) at \(i),\(j)"
                XCTAssertLessThanOrEqual(abs(got - wantRounded), sumBound, context)
                XCTAssertLessThanOrEqual(abs(got - wantExact), (2 * u + u * u) * abs(Double(alpha)) * magnitude + sumBound,
                                         context)
            }
            // The padding of C's rows is never written.
            for j in n..<ldc { XCTAssertEqual(c[i * ldc + j], c0[i * ldc + j]) }
        }
    }

    func testBetaZeroIgnoresWhatCHeld() {
        for kernel in kernels {
            Gemm.setPrecision(.bf16, kernel: kernel)
            let (m, n, k) = (19, 37, 23)
            let a = randomTensor([m * k], seed: 1).values, b = randomTensor([k * n], seed: 2).values
            var c = [Float](repeating: .nan, count: m * n)
            Gemm.multiply(a, transposeA: false, b, transposeB: false, into: &c, m: m, n: n, k: k)
            XCTAssertTrue(c.allSatisfy(\.isFinite), "\(kernel)")
        }
    }

    /// The emulation sums the same exact products as the native kernel, in another order.
    func testEmulationAgreesWithTheNativeKernel() throws {
        try XCTSkipUnless(BFloat16Kernel.nativeIsAvailable, "no AVX512-BF16 on this CPU")
        let (m, n, k) = (70, 45, 300)
        let a = randomTensor([m * k], seed: 5).values, b = randomTensor([n * k], seed: 6).values
        var results: [[Float]] = []
        for kernel in [BFloat16Kernel.native, .emulated] {
            Gemm.setPrecision(.bf16, kernel: kernel)
            var c = [Float](repeating: 0, count: m * n)
            Gemm.multiply(a, transposeA: false, b, transposeB: true, into: &c, m: m, n: n, k: k)
            results.append(c)
        }
        let (ra, rb) = (BFloat16.rounded(a), BFloat16.rounded(b))
        for i in 0..<m {
            for j in 0..<n {
                let magnitude = (0..<k).reduce(0.0) { $0 + abs(Double(ra[i * k + $1]) * Double(rb[j * k + $1])) }
                XCTAssertLessThanOrEqual(abs(Double(results[0][i * n + j] - results[1][i * n + j])),
                                         2 * Double(k) * 0x1p-24 * magnitude)
            }
        }
    }

    /// Splitting a product's rows or columns over workers leaves every element's sum as it is.
    func testParallelProductsEqualTheSingleThreadedOne() {
        let threads = Parallelism.threadCount
        defer { Parallelism.setThreadCount(threads) }
        for kernel in kernels {
            Gemm.setPrecision(.bf16, kernel: kernel)
            for (m, n) in [(600, 40), (40, 600)] {
                let k = 96
                let a = randomTensor([m * k], seed: 8).values, b = randomTensor([k * n], seed: 9).values
                var single = [Float](repeating: 0, count: m * n), split = single
                Gemm.onThisThread(a, lda: k, transposeA: false, b, ldb: n, transposeB: false, into: &single, ldc: n,
                                  m: m, n: n, k: k, beta: 0)
                Parallelism.setThreadCount(2)
                Gemm.multiply(a, transposeA: false, b, transposeB: false, into: &split, m: m, n: n, k: k)
                XCTAssertEqual(single, split, "\(kernel) \(m)×\(n)")
            }
        }
    }

    /// The tape's gradients of bf16 products against finite differences of the fp32 function,
    /// relative to the largest gradient (a sum with cancellation keeps bf16's error of its
    /// terms, not of itself): within 2u = 2⁻⁷.
    func testGradientsOfBFloat16ProductsApproximateTheFP32Function() {
        for kernel in kernels {
            Gemm.setPrecision(.bf16, kernel: kernel)
            let x = randomTensor([6, 10], seed: 1), w = randomTensor([10, 7], seed: 2)
            let q = randomTensor([3, 4, 5], seed: 3), keys = randomTensor([3, 6, 5], seed: 4)
            let linear = GradientCheck.run(inputs: [x, w], floorFraction: 1, differencePrecision: .fp32) { x.matmul(w).relu() }
            XCTAssertLessThan(linear.maxError, 2 * BFloat16.unitRoundoff, "\(kernel) \(linear)")
            let attention = GradientCheck.run(inputs: [q, keys], floorFraction: 1, differencePrecision: .fp32) {
                q.batchedMatmul(keys, transposeOther: true).softmax()
            }
            XCTAssertLessThan(attention.maxError, 2 * BFloat16.unitRoundoff, "\(kernel) \(attention)")
            XCTAssertEqual(Gemm.precision, .bf16, "the check restores the tape's precision")
        }
    }
}
