#ifndef DTRN_CBFLOAT16_H
#define DTRN_CBFLOAT16_H

/// bf16 matrix products for x86-64 CPUs with AVX512-BF16: operands rounded from fp32 to
/// bf16 (nearest, ties to even), products summed in fp32 by `vdpbf16ps`.
///
/// Every conversion here, vector or scalar, gives the same bits: nearest-even rounding,
/// subnormal inputs flushed to a zero of their sign (as the instructions do), NaN kept a
/// quiet NaN of its sign, infinities kept.

/// 1 when this CPU and operating system run AVX512F and AVX512-BF16 instructions
/// (CPUID leaf 7 subleaf 1 EAX bit 5, with the ZMM and mask state enabled in XCR0), else 0.
int dtrn_bf16_native_available(void);

/// Writes `x[i]` rounded to the nearest bf16 value, as a float, to `y[i]` (`y` may be `x`).
void dtrn_bf16_round(const float *x, float *y, long count);

/// `C = alpha · op(A) · op(B) + beta · C` with `op(A)` of `m × k` and `op(B)` of `k × n`,
/// row-major with leading dimensions `lda`, `ldb`, `ldc` as `cblas_sgemm` takes them. The
/// operands are rounded to bf16; `C` and the sums stay fp32. With `beta == 0` `C` is not
/// read. Runs on the calling thread; needs `dtrn_bf16_native_available()`.
void dtrn_bf16_gemm(int transpose_a, int transpose_b, long m, long n, long k, float alpha,
                    const float *a, long lda, const float *b, long ldb, float beta, float *c, long ldc);

#endif
