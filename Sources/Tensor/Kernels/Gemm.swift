import CBFloat16
import CBLAS
import CNarrowGemm

/// Row-major matrix products of fp32 matrices: through OpenBLAS, or with bf16 operands when
/// `precision` is `.bf16`.
///
/// A product with a narrow right operand (`k` and `n` at most 64, the left one not
/// transposed: a position-wise layer over many positions, or its input's gradient) runs in
/// fp32 on the narrow kernel where the CPU has AVX512F, which reads the tall operand once
/// instead of packing it first; so does `Aᵀ · B` with an output of at most 64 × 64 (that
/// layer's weight gradient), which reads both tall operands once.
///
/// OpenBLAS itself runs single-threaded; large products are split here into one block of
/// rows (or columns) of `C` per worker, each a single-threaded OpenBLAS call. On 2 cores
/// this reaches nearly twice the single-thread rate for the narrow shapes of
/// recommendation models, where OpenBLAS's own threading stalls.
public enum Gemm {
    /// Below this many multiply-adds a product runs on the calling thread.
    static let minimumParallelWork = 1 << 17

    nonisolated(unsafe) private static var configuredPrecision = MatrixPrecision.fp32
    nonisolated(unsafe) private static var configuredKernel = BFloat16Kernel.best

    /// Whether fp32 products with a narrow right operand run on the narrow kernel: on CPUs
    /// with AVX512F, unless turned off (to compare against OpenBLAS).
    nonisolated(unsafe) static var useNarrowKernel = dtrn_narrow_gemm_available() != 0
    /// The widest inner and output sizes of the narrow kernel.
    static let narrowLimit = Int(DTRN_NARROW_GEMM_MAX)

    /// The operand precision of every product in this process (default fp32).
    public static var precision: MatrixPrecision { configuredPrecision }

    /// The kernel of bf16 products: native on CPUs with AVX512-BF16, else emulated.
    public static var bfloat16Kernel: BFloat16Kernel { configuredKernel }

    /// Sets the precision of every later product, and optionally the bf16 kernel (`.native`
    /// needs `BFloat16Kernel.nativeIsAvailable`). Call it before any work starts, as
    /// `Parallelism.setThreadCount`.
    public static func setPrecision(_ precision: MatrixPrecision, kernel: BFloat16Kernel = .best) {
        precondition(kernel == .emulated || BFloat16Kernel.nativeIsAvailable,
                     "the native bf16 kernel needs a CPU with AVX512-BF16")
        configuredPrecision = precision
        configuredKernel = kernel
    }

    /// Whether a product of these transposition and sizes runs on the narrow kernel.
    @inline(__always)
    static func takesNarrowKernel(transposeA: Bool, n: Int, k: Int) -> Bool {
        configuredPrecision == .fp32 && useNarrowKernel && !transposeA && k > 0 && n <= narrowLimit && k <= narrowLimit
    }

    /// Whether a product of these transpositions and sizes runs on the narrow kernel's
    /// transposed form, `Aᵀ · B` with a small output over any inner size: a weight's gradient.
    @inline(__always)
    static func takesTallInnerKernel(transposeA: Bool, transposeB: Bool, m: Int, n: Int) -> Bool {
        configuredPrecision == .fp32 && useNarrowKernel && transposeA && !transposeB && m <= narrowLimit && n <= narrowLimit
    }

    /// `C = A · B + bias`, the bias (`n` values) added to every row: a linear layer's forward,
    /// `A` of `m × k`, `B` of `k × n`, `C` of `m × n`, all contiguous; with `rectified`,
    /// `max(C, 0)` (the layer and its ReLU). On the narrow kernel the bias is where each row's
    /// sums start and the ReLU is applied as they are stored; otherwise the bias is written
    /// into `C` first, the product added onto it, and the ReLU applied after.
    static func affine(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                       into c: UnsafeMutablePointer<Float>, m: Int, n: Int, k: Int, rectified: Bool = false) {
        guard m > 0 && n > 0 && takesNarrowKernel(transposeA: false, n: n, k: k) else {
            writeBias(bias, intoRows: m, of: c, width: n)
            multiply(a, transposeA: false, b, transposeB: false, into: c, m: m, n: n, k: k, beta: 1)
            if rectified {
                Parallelism.forEachChunk(m * n, costPerItem: 2) { r in
                    mapKernel(c + r.lowerBound, c + r.lowerBound, r.count) { $0.replacing(with: 0, where: $0 .< 0) }
                }
            }
            return
        }
        let workers = Parallelism.threadCount
        let parts = workers > 1 && m * n * k >= minimumParallelWork ? min(workers, m) : 1
        Parallelism.run(parts: parts) { part, parts in
            let start = m * part / parts, end = m * (part + 1) / parts
            dtrn_narrow_gemm(0, end - start, n, k, a + start * k, k, b, n, bias, 0, rectified ? 1 : 0, c + start * n, n)
        }
    }

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
        if k > 8 * max(m, n) {
            return splittingInner(a, lda: lda, transposeA: transposeA, b, ldb: ldb, transposeB: transposeB,
                                  into: c, m: m, n: n, k: k, alpha: alpha, beta: beta, parts: min(workers, k))
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

    /// A product whose inner size dwarfs its output (a weight gradient summed over a long
    /// batch, `Xᵀ · dY`) split along the inner size: each worker multiplies its stretch of
    /// `op(A)`'s columns and `op(B)`'s rows, so no worker packs the whole of both operands as
    /// splitting the small output would make them; the first part writes `C`, the others
    /// small buffers added to it after.
    private static func splittingInner(
        _ a: UnsafePointer<Float>, lda: Int, transposeA: Bool,
        _ b: UnsafePointer<Float>, ldb: Int, transposeB: Bool,
        into c: UnsafeMutablePointer<Float>, m: Int, n: Int, k: Int, alpha: Float, beta: Float, parts: Int
    ) {
        var partials = [Float](repeating: 0, count: (parts - 1) * m * n)
        partials.withUnsafeMutableBufferPointer { partials in
            let partials = partials.baseAddress!
            Parallelism.run(parts: parts) { part, parts in
                let start = k * part / parts, end = k * (part + 1) / parts
                // Inner index i is column i of A (row i when transposed) and row i of B (column i).
                let blockA = transposeA ? a + start * lda : a + start
                let blockB = transposeB ? b + start : b + start * ldb
                let target = part == 0 ? c : partials + (part - 1) * m * n
                onThisThread(blockA, lda: lda, transposeA: transposeA, blockB, ldb: ldb, transposeB: transposeB,
                             into: target, ldc: n, m: m, n: n, k: end - start, alpha: alpha, beta: part == 0 ? beta : 0)
            }
            for part in 1..<parts { accumulate(partials + (part - 1) * m * n, into: c, m * n) }
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
        if alpha == 1 && takesNarrowKernel(transposeA: transposeA, n: n, k: k) {
            return dtrn_narrow_gemm(transposeB ? 1 : 0, m, n, k, a, lda, b, ldb, nil, beta, 0, c, ldc)
        }
        if alpha == 1 && takesTallInnerKernel(transposeA: transposeA, transposeB: transposeB, m: m, n: n) {
            return dtrn_narrow_gemm_tall_inner(m, n, k, a, lda, b, ldb, beta, c, ldc)
        }
        if configuredPrecision == .bf16 {
            return bfloat16Product(a, lda: lda, transposeA: transposeA, b, ldb: ldb, transposeB: transposeB,
                                   into: c, ldc: ldc, m: m, n: n, k: k, alpha: alpha, beta: beta)
        }
        cblas_sgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// `onThisThread` with bf16 operands: the native kernel, or the operands rounded into
    /// copies for OpenBLAS.
    private static func bfloat16Product(
        _ a: UnsafePointer<Float>, lda: Int, transposeA: Bool,
        _ b: UnsafePointer<Float>, ldb: Int, transposeB: Bool,
        into c: UnsafeMutablePointer<Float>, ldc: Int, m: Int, n: Int, k: Int, alpha: Float, beta: Float
    ) {
        if configuredKernel == .native {
            return dtrn_bf16_gemm(transposeA ? 1 : 0, transposeB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
        }
        guard k > 0 else {
            return cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), 0, alpha, a, 1, b,
                               Int32(n), beta, c, Int32(ldc))
        }
        // The stored extents: rows of op(A) (or its columns, transposed) of lda, the last one short.
        let countA = transposeA ? (k - 1) * lda + m : (m - 1) * lda + k
        let countB = transposeB ? (n - 1) * ldb + k : (k - 1) * ldb + n
        let roundedA = UnsafeMutablePointer<Float>.allocate(capacity: countA)
        let roundedB = UnsafeMutablePointer<Float>.allocate(capacity: countB)
        defer { roundedA.deallocate(); roundedB.deallocate() }
        dtrn_bf16_round(a, roundedA, countA)
        dtrn_bf16_round(b, roundedB, countB)
        cblas_sgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, roundedA, Int32(lda), roundedB, Int32(ldb), beta, c, Int32(ldc))
    }
}
