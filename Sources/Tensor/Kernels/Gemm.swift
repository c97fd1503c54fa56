import CBLAS

/// Row-major single-precision matrix products through OpenBLAS.
public enum Gemm {
    /// `C = alpha · op(A) · op(B) + beta · C`, where `op(A)` is `m × k` and `op(B)` is `k × n`.
    ///
    /// `A` is stored `m × k` (or `k × m` when `transposeA`), `B` is stored `k × n`
    /// (or `n × k` when `transposeB`), `C` is `m × n`, all contiguous and row-major.
    @inline(__always)
    public static func multiply(
        _ a: UnsafePointer<Float>, transposeA: Bool,
        _ b: UnsafePointer<Float>, transposeB: Bool,
        into c: UnsafeMutablePointer<Float>,
        m: Int, n: Int, k: Int, alpha: Float = 1, beta: Float = 0
    ) {
        guard m > 0 && n > 0 else { return }
        guard k > 0 else {
            if beta == 0 { c.update(repeating: 0, count: m * n) } else if beta != 1 {
                for i in 0..<(m * n) { c[i] *= beta }
            }
            return
        }
        cblas_sgemm(
            CblasRowMajor,
            transposeA ? CblasTrans : CblasNoTrans,
            transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha,
            a, Int32(transposeA ? m : k),
            b, Int32(transposeB ? k : n),
            beta, c, Int32(n))
    }
}
