#include "CNarrowGemm.h"

#include <cpuid.h>
#include <immintrin.h>

/// The instruction set the kernels are compiled for; the library itself builds for any
/// x86-64 CPU and calls them only after `dtrn_narrow_gemm_available()`.
#define NARROW_TARGET __attribute__((target("avx512f")))

int dtrn_narrow_gemm_available(void) {
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !(ecx & (1u << 27))) return 0;  // OSXSAVE
    unsigned xcr0_low, xcr0_high;
    __asm__ volatile("xgetbv" : "=a"(xcr0_low), "=d"(xcr0_high) : "c"(0));
    if ((xcr0_low & 0xe6u) != 0xe6u) return 0;  // XMM, YMM, opmask, ZMM_Hi256, Hi16_ZMM state
    return __get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) && (ebx & (1u << 16)) ? 1 : 0;  // AVX512F
}

/// `rows` rows of `C` (at most `RB`) from the same rows of `A`, `NV` vectors of 16 columns
/// each, the last `tail`-masked: the `RB × NV` sums stay in registers over the whole inner
/// index, each step one broadcast of `A` per row against `NV` vectors of the laid-out `B`.
/// Constant `RB` and `NV` unroll both loops into straight code.
__attribute__((always_inline)) NARROW_TARGET static inline void
row_block(int RB, int NV, int rows, long k, const float *a, long lda, const float *bp, const float *bias, float beta,
          float *c, long ldc, __mmask16 tail) {
    __m512 sum[8][4];
    for (int r = 0; r < RB; r++)
        for (int v = 0; v < NV; v++) {
            __mmask16 mask = v == NV - 1 ? tail : 0xffff;
            __m512 start = bias ? _mm512_maskz_loadu_ps(mask, bias + 16 * v) : _mm512_setzero_ps();
            sum[r][v] = r < rows && beta != 0
                ? _mm512_fmadd_ps(_mm512_set1_ps(beta), _mm512_maskz_loadu_ps(mask, c + r * ldc + 16 * v), start)
                : start;
        }
    for (long i = 0; i < k; i++) {
        __m512 column[4];
        for (int v = 0; v < NV; v++) column[v] = _mm512_load_ps(bp + (i * NV + v) * 16);
        for (int r = 0; r < RB; r++) {
            if (r >= rows) break;
            __m512 x = _mm512_set1_ps(a[r * lda + i]);
            for (int v = 0; v < NV; v++) sum[r][v] = _mm512_fmadd_ps(x, column[v], sum[r][v]);
        }
    }
    for (int r = 0; r < RB; r++) {
        if (r >= rows) break;
        for (int v = 0; v < NV; v++) _mm512_mask_storeu_ps(c + r * ldc + 16 * v, v == NV - 1 ? tail : 0xffff, sum[r][v]);
    }
}

/// Every row of `C` in blocks of `RB`, the last block short.
__attribute__((always_inline)) NARROW_TARGET static inline void
all_rows(int RB, int NV, long m, long k, const float *a, long lda, const float *bp, const float *bias, float beta,
         float *c, long ldc, __mmask16 tail) {
    long i = 0;
    for (; i + RB <= m; i += RB) row_block(RB, NV, RB, k, a + i * lda, lda, bp, bias, beta, c + i * ldc, ldc, tail);
    if (i < m) row_block(RB, NV, (int)(m - i), k, a + i * lda, lda, bp, bias, beta, c + i * ldc, ldc, tail);
}

NARROW_TARGET void dtrn_narrow_gemm(int transpose_b, long m, long n, long k, const float *a, long lda, const float *b,
                                    long ldb, const float *bias, float beta, float *c, long ldc) {
    // op(B) row by row, each padded with zeros to whole vectors: `k × NV·16` floats.
    const int nv = (int)((n + 15) / 16);
    float bp[DTRN_NARROW_GEMM_MAX * DTRN_NARROW_GEMM_MAX] __attribute__((aligned(64)));
    for (long i = 0; i < k; i++)
        for (long j = 0; j < nv * 16; j++)
            bp[i * nv * 16 + j] = j < n ? (transpose_b ? b[j * ldb + i] : b[i * ldb + j]) : 0;
    const __mmask16 tail = n % 16 ? (__mmask16)((1u << (n % 16)) - 1) : (__mmask16)0xffff;
    // Eight rows when one or two vectors span a row, four when three or four do: at most 16
    // sums in registers, and enough independent multiply-adds to keep both units busy.
    switch (nv) {
    case 1: all_rows(8, 1, m, k, a, lda, bp, bias, beta, c, ldc, tail); break;
    case 2: all_rows(8, 2, m, k, a, lda, bp, bias, beta, c, ldc, tail); break;
    case 3: all_rows(4, 3, m, k, a, lda, bp, bias, beta, c, ldc, tail); break;
    default: all_rows(4, 4, m, k, a, lda, bp, bias, beta, c, ldc, tail); break;
    }
}
