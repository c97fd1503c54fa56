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
/// index, each step one broadcast of `A` per row against `NV` vectors of the laid-out `B`,
/// and are clamped at 0 before they are stored when `rectify`. Constant `RB` and `NV` unroll
/// both loops into straight code.
__attribute__((always_inline)) NARROW_TARGET static inline void
row_block(int RB, int NV, int rows, long k, const float *a, long lda, const float *bp, const float *bias, float beta,
          int rectify, float *c, long ldc, __mmask16 tail) {
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
        for (int v = 0; v < NV; v++) {
            // max(0, s) keeps a NaN sum and a negative zero, as the ReLU op does.
            const __m512 value = rectify ? _mm512_max_ps(_mm512_setzero_ps(), sum[r][v]) : sum[r][v];
            _mm512_mask_storeu_ps(c + r * ldc + 16 * v, v == NV - 1 ? tail : 0xffff, value);
        }
    }
}

/// Every row of `C` in blocks of `RB`, the last block short.
__attribute__((always_inline)) NARROW_TARGET static inline void
all_rows(int RB, int NV, long m, long k, const float *a, long lda, const float *bp, const float *bias, float beta,
         int rectify, float *c, long ldc, __mmask16 tail) {
    long i = 0;
    for (; i + RB <= m; i += RB)
        row_block(RB, NV, RB, k, a + i * lda, lda, bp, bias, beta, rectify, c + i * ldc, ldc, tail);
    if (i < m) row_block(RB, NV, (int)(m - i), k, a + i * lda, lda, bp, bias, beta, rectify, c + i * ldc, ldc, tail);
}

NARROW_TARGET void dtrn_narrow_gemm(int transpose_b, long m, long n, long k, const float *a, long lda, const float *b,
                                    long ldb, const float *bias, float beta, int rectify, float *c, long ldc) {
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
    case 1: all_rows(8, 1, m, k, a, lda, bp, bias, beta, rectify, c, ldc, tail); break;
    case 2: all_rows(8, 2, m, k, a, lda, bp, bias, beta, rectify, c, ldc, tail); break;
    case 3: all_rows(4, 3, m, k, a, lda, bp, bias, beta, rectify, c, ldc, tail); break;
    default: all_rows(4, 4, m, k, a, lda, bp, bias, beta, rectify, c, ldc, tail); break;
    }
}

/// `RB` rows of `C = Aᵀ · B` over the inner indices `i0 ..< i1`, `NV` vectors of 16 columns
/// each, the last `tail`-masked: the sums start from `C` itself when `accumulate`, else from
/// `beta · C` (or zero), and each inner index adds one broadcast of `A` per row against `NV`
/// vectors of `B` read straight from memory. `RB` is a constant at every call, so that the
/// sums stay in registers.
__attribute__((always_inline)) NARROW_TARGET static inline void
column_block(int RB, int NV, long i0, long i1, const float *a, long lda, const float *b, long ldb, int accumulate,
             float beta, float *c, long ldc, __mmask16 tail) {
    __m512 sum[16][4];
    for (int r = 0; r < RB; r++)
        for (int v = 0; v < NV; v++) {
            __mmask16 mask = v == NV - 1 ? tail : 0xffff;
            if (accumulate) sum[r][v] = _mm512_maskz_loadu_ps(mask, c + r * ldc + 16 * v);
            else if (beta != 0)
                sum[r][v] = _mm512_mul_ps(_mm512_set1_ps(beta), _mm512_maskz_loadu_ps(mask, c + r * ldc + 16 * v));
            else sum[r][v] = _mm512_setzero_ps();
        }
    for (long i = i0; i < i1; i++) {
        __m512 row[4];
        for (int v = 0; v < NV; v++) row[v] = _mm512_maskz_loadu_ps(v == NV - 1 ? tail : 0xffff, b + i * ldb + 16 * v);
        for (int r = 0; r < RB; r++) {
            __m512 x = _mm512_set1_ps(a[i * lda + r]);
            for (int v = 0; v < NV; v++) sum[r][v] = _mm512_fmadd_ps(x, row[v], sum[r][v]);
        }
    }
    for (int r = 0; r < RB; r++)
        for (int v = 0; v < NV; v++) _mm512_mask_storeu_ps(c + r * ldc + 16 * v, v == NV - 1 ? tail : 0xffff, sum[r][v]);
}

/// The inner indices in stretches of `DTRN_TALL_INNER_STRETCH`, each stretch through every
/// row of `C` in blocks of `RB` and then of 8, 4, 2 and 1 for the rest: the stretch's rows of
/// `A` and `B` stay in cache while every block reads them, and `C` is read and written once
/// per stretch.
__attribute__((always_inline)) NARROW_TARGET static inline void
all_columns(int RB, int NV, long m, long k, const float *a, long lda, const float *b, long ldb, float beta, float *c,
            long ldc, __mmask16 tail) {
    enum { DTRN_TALL_INNER_STRETCH = 256 };
    long i0 = 0;
    do {  // once at least, so that `k == 0` still scales `C` by `beta`
        long i1 = i0 + DTRN_TALL_INNER_STRETCH < k ? i0 + DTRN_TALL_INNER_STRETCH : k;
        const int accumulate = i0 > 0;
        long r = 0;
        for (; r + RB <= m; r += RB)
            column_block(RB, NV, i0, i1, a + r, lda, b, ldb, accumulate, beta, c + r * ldc, ldc, tail);
        if (RB > 8 && m - r >= 8) {
            column_block(8, NV, i0, i1, a + r, lda, b, ldb, accumulate, beta, c + r * ldc, ldc, tail);
            r += 8;
        }
        if (RB > 4 && m - r >= 4) {
            column_block(4, NV, i0, i1, a + r, lda, b, ldb, accumulate, beta, c + r * ldc, ldc, tail);
            r += 4;
        }
        if (m - r >= 2) {
            column_block(2, NV, i0, i1, a + r, lda, b, ldb, accumulate, beta, c + r * ldc, ldc, tail);
            r += 2;
        }
        if (m - r >= 1) column_block(1, NV, i0, i1, a + r, lda, b, ldb, accumulate, beta, c + r * ldc, ldc, tail);
        i0 = i1;
    } while (i0 < k);
}

NARROW_TARGET void dtrn_narrow_gemm_tall_inner(long m, long n, long k, const float *a, long lda, const float *b,
                                               long ldb, float beta, float *c, long ldc) {
    const __mmask16 tail = n % 16 ? (__mmask16)((1u << (n % 16)) - 1) : (__mmask16)0xffff;
    // Sixteen sums in registers, as in `dtrn_narrow_gemm`, twelve when three vectors span a row.
    switch ((n + 15) / 16) {
    case 1: all_columns(16, 1, m, k, a, lda, b, ldb, beta, c, ldc, tail); break;
    case 2: all_columns(8, 2, m, k, a, lda, b, ldb, beta, c, ldc, tail); break;
    case 3: all_columns(4, 3, m, k, a, lda, b, ldb, beta, c, ldc, tail); break;
    default: all_columns(4, 4, m, k, a, lda, b, ldb, beta, c, ldc, tail); break;
    }
}
