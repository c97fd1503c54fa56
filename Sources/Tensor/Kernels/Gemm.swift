import CBLAS

/// Row-major single-precision matrix products through OpenBLAS.
///
/// OpenBLAS itself runs single-threaded; large products are split here into one block of
/// rows (or columns) of `C` per worker, each a single-threaded OpenBLAS call. On 2 cores
/// this reaches nearly twice the single-thread rate for the narrow shapes of
/// recommendation models, where OpenBLAS's own threading stalls.
public enum Gemm {
    /// Below this many multiply-adds a product runs on the calling thread.
    static let minimumParallelWork = 1 << 17

    /// `C = alpha · op(A) · op(B) + beta · C`, where `op(A)` is `m × k` and `op(B)` is `k × n`.
    ///
    /// `A` is stored `m × k` (or `k × m` when `transposeA`), `B` is stored `k × n`
    /// (or `n × k` when `transposeB`), `C` is `m × n`, all contiguous and row-major.
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
        let lda = transposeA ? m : k, ldb = transposeB ? k : n
        let workers = Parallelism.threadCount
        guard workers > 1 && m * n * k >= minimumParallelWork && max(m, n) >= 2 * workers else {
            onThisThread(a, lda: lda, transposeA: transposeA, b, ldb: ldb, transposeB: transposeB,
                         into: c, ldc: n, m: m, n: n, k: k, alpha: alpha, beta: beta)
            return
        }
        let splitRows = m >= n
        let extent = splitRows ? m : n
        let chunks = min(workers, extent)
        let (sa, sb, sc) = (a, b, c)
        Parallelism.run(parts: chunks) { part, chunks in
            let start = extent * part / chunks, end = extent * (part + 1) / chunks
            if splitRows {
                // Rows start..<end of C read rows start..<end of op(A).
                let block = transposeA ? sa + start : sa + start * k
                onThisThread(block, lda: lda, transposeA: transposeA, sb, ldb: ldb, transposeB: transposeB,
                             into: sc + start * n, ldc: n, m: end - start, n: n, k: k, alpha: alpha, beta: beta)
            } else {
                // Columns start..<end of C read columns start..<end of op(B).
                let block = transposeB ? sb + start * k : sb + start
                onThisThread(sa, lda: lda, transposeA: transposeA, block, ldb: ldb, transposeB: transposeB,
                             into: sc + start, ldc: n, m: m, n: end - start, k: k, alpha: alpha, beta: beta)
            }
        }
    }

    /// One single-threaded OpenBLAS call with explicit leading dimensions (the row strides
    /// of `A`, `B` and `C` as stored), for callers that split the work over threads themselves.
    @inline(__always)
    static func onThisThread(
        _ a: UnsafePointer<Float>, lda: Int, transposeA: Bool,
        _ b: UnsafePointer<Float>, ldb: Int, transposeB: Bool,
        into c: UnsafeMutablePointer<Float>, ldc: Int, m: Int, n: Int, k: Int, alpha: Float = 1, beta: Float
    ) {
        guard m > 0 && n > 0 else { return }
        cblas_sgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}
