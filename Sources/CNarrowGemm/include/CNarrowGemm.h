#ifndef DTRN_CNARROWGEMM_H
#define DTRN_CNARROWGEMM_H

/// fp32 matrix products with a narrow right operand, for x86-64 CPUs with AVX512F: the
/// position-wise layers of a Transformer over a batch's real positions, `[R, k] · [k, n]`
/// with R in the tens of thousands and k and n of tens. A general GEMM packs the tall left
/// operand into blocks before its kernel reads them; here the right operand (at most 64 × 64
/// floats) is laid out once in a small buffer and each row of the left operand is read
/// straight from memory, once.

/// The widest `n` and `k` ``dtrn_narrow_gemm`` takes.
#define DTRN_NARROW_GEMM_MAX 64

/// 1 when this CPU and operating system run AVX512F instructions (with the ZMM and mask
/// state enabled in XCR0), else 0.
int dtrn_narrow_gemm_available(void);

/// `C = A · op(B) + beta · C + bias` with `A` of `m × k` (row-major, rows `lda` apart),
/// `op(B)` of `k × n` (`B` stored `k × n`, or `n × k` when `transpose_b`, rows `ldb` apart),
/// `C` of `m × n` (rows `ldc` apart) and `bias` of `n` added to every row (or NULL for none),
/// for `1 ≤ n, k ≤ DTRN_NARROW_GEMM_MAX`; with `rectify` each element is `max(·, 0)` of that
/// (a linear layer and its ReLU). With `beta == 0` `C` is not read. Each element is its bias,
/// then `beta · c`, then the inner index's products in order, with fused multiply-adds. Runs
/// on the calling thread; needs `dtrn_narrow_gemm_available()`.
void dtrn_narrow_gemm(int transpose_b, long m, long n, long k, const float *a, long lda, const float *b, long ldb,
                      const float *bias, float beta, int rectify, float *c, long ldc);

/// `C = Aᵀ · B + beta · C`, a weight's gradient summed over many positions: `A` stored `k × m`
/// (rows `lda` apart), `B` stored `k × n` (rows `ldb` apart), `C` of `m × n` (rows `ldc`
/// apart), for `1 ≤ m, n ≤ DTRN_NARROW_GEMM_MAX` and any `k ≥ 0`. Both tall operands are read
/// straight from memory in stretches of 256 rows, without packing. Each element is `beta · c`
/// (not read when `beta == 0`), then the inner index's products in order, with fused
/// multiply-adds. Runs on the calling thread; needs `dtrn_narrow_gemm_available()`.
void dtrn_narrow_gemm_tall_inner(long m, long n, long k, const float *a, long lda, const float *b, long ldb,
                                 float beta, float *c, long ldc);

#endif
