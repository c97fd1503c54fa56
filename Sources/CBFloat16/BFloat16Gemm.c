#include "CBFloat16.h"

#include <cpuid.h>
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/// The instruction sets the vector functions below are compiled for; the library itself
/// builds for any x86-64 CPU and calls them only after `dtrn_bf16_native_available()`.
#define BF16_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))

/// Rows and columns of `C` one register tile computes: 8 rows × 2 vectors of 16 floats.
#define MR 8
#define NR 32
/// Inner elements per packed block (even), and rows of `op(A)` per packed block (a multiple of 16).
#define KC 512
#define MC 128

int dtrn_bf16_native_available(void) {
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !(ecx & (1u << 27))) return 0;  // OSXSAVE
    unsigned xcr0_low, xcr0_high;
    __asm__ volatile("xgetbv" : "=a"(xcr0_low), "=d"(xcr0_high) : "c"(0));
    if ((xcr0_low & 0xe6u) != 0xe6u) return 0;  // XMM, YMM, opmask, ZMM_Hi256, Hi16_ZMM state
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) || !(ebx & (1u << 16))) return 0;  // AVX512F
    if (!(ebx & (1u << 30))) return 0;                                                       // AVX512BW
    if (!__get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx)) return 0;
    return (eax & (1u << 5)) ? 1 : 0;  // AVX512_BF16
}

/// The bf16 bits of `x`, rounded as the vector conversion rounds.
static inline uint16_t bf16_bits(float x) {
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    uint32_t magnitude = u & 0x7fffffffu;
    if (magnitude > 0x7f800000u) return (uint16_t)((u >> 16) | 0x0040u);  // NaN: quiet, sign kept
    if (magnitude < 0x00800000u) return (uint16_t)((u & 0x80000000u) >> 16);  // zero or subnormal
    u += 0x7fffu + ((u >> 16) & 1u);
    return (uint16_t)(u >> 16);
}

void dtrn_bf16_round(const float *x, float *y, long count) {
    for (long i = 0; i < count; i++) {
        uint32_t u = (uint32_t)bf16_bits(x[i]) << 16;
        memcpy(&y[i], &u, sizeof u);
    }
}

/// A packing buffer kept per thread, grown on demand and never shrunk.
typedef struct {
    uint32_t *words;
    size_t capacity;
} PackBuffer;

static _Thread_local PackBuffer packed_a, packed_b;

static uint32_t *reserve(PackBuffer *buffer, size_t words) {
    if (words > buffer->capacity) {
        free(buffer->words);
        size_t bytes = (words * sizeof(uint32_t) + 63) & ~(size_t)63;
        buffer->words = aligned_alloc(64, bytes);
        if (!buffer->words) {
            fprintf(stderr, "error: out of memory packing a bf16 matrix product (%zu bytes)\n", bytes);
            abort();
        }
        buffer->capacity = bytes / sizeof(uint32_t);
    }
    return buffer->words;
}

/// The lanes of a 16-float vector that hold the first `count` of its elements.
static inline __mmask16 lane_mask(long count) {
    if (count >= 16) return (__mmask16)0xffff;
    if (count <= 0) return 0;
    return (__mmask16)((1u << count) - 1);
}

/// 32 bf16 values, the first 16 from `low` and the last 16 from `high`, interleaved into 16
/// pairs `(low[i], high[i])`: the operand layout of `vdpbf16ps`, whose lane `i` multiplies
/// the pair at inner positions `2p, 2p + 1`.
BF16_TARGET static inline __m512i interleaved_pairs(__m512 low, __m512 high) {
    const __m512i order = _mm512_set_epi16(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8,
                                           23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
    return _mm512_permutexvar_epi16(order, (__m512i)_mm512_cvtne2ps_pbh(high, low));
}

/// Writes the 256-bit `pairs` at pair `kp` of a packed panel whose pairs lie `stride` words
/// apart, when `kp` is one of its `kcp` pairs.
BF16_TARGET static inline void store_pairs(uint32_t *out, long stride, long kp, long kcp, __m256i pairs) {
    if (kp < kcp) _mm256_storeu_si256((__m256i *)(out + kp * stride), pairs);
}

/// Packs 8 rows of `kc` consecutive floats (row `r` at `source + r * stride`; rows from
/// `rows` on are zero) as bf16 pairs, transposed: `out[kp * out_stride + r]` is row `r`'s pair
/// `kp`, for the `(kc + 1) / 2` pairs. Per 32 inner positions, 8 conversions and an 8 × 16
/// transpose of 32-bit pairs in registers.
BF16_TARGET static void pack_rows_transposed(const float *source, long stride, long rows, long kc, uint32_t *out,
                                             long out_stride) {
    const __m512i low = _mm512_set_epi64(11, 10, 3, 2, 9, 8, 1, 0);     // lanes 0, 1 of x and y: x0 y0 x1 y1
    const __m512i high = _mm512_set_epi64(15, 14, 7, 6, 13, 12, 5, 4);  // lanes 2, 3: x2 y2 x3 y3
    long kcp = (kc + 1) / 2;
    for (long t = 0; t < kc; t += 32) {
        __mmask16 first = lane_mask(kc - t), second = lane_mask(kc - t - 16);
        __m512i r[8];
        for (int i = 0; i < 8; i++) {
            const float *x = source + i * stride + t;
            r[i] = i < rows ? (__m512i)_mm512_cvtne2ps_pbh(_mm512_maskz_loadu_ps(second, x + 16), _mm512_maskz_loadu_ps(first, x))
                            : _mm512_setzero_si512();
        }
        // r[i] holds row i's pairs t/2 ..< t/2 + 16; in 128-bit lane l, pairs 4l ..< 4l + 4.
        __m512i a0 = _mm512_unpacklo_epi32(r[0], r[1]), a1 = _mm512_unpackhi_epi32(r[0], r[1]);
        __m512i a2 = _mm512_unpacklo_epi32(r[2], r[3]), a3 = _mm512_unpackhi_epi32(r[2], r[3]);
        __m512i a4 = _mm512_unpacklo_epi32(r[4], r[5]), a5 = _mm512_unpackhi_epi32(r[4], r[5]);
        __m512i a6 = _mm512_unpacklo_epi32(r[6], r[7]), a7 = _mm512_unpackhi_epi32(r[6], r[7]);
        // x[e] (rows 0-3) and y[e] (rows 4-7) hold in lane l the rows' pair 4l + e.
        __m512i x[4] = {_mm512_unpacklo_epi64(a0, a2), _mm512_unpackhi_epi64(a0, a2),
                        _mm512_unpacklo_epi64(a1, a3), _mm512_unpackhi_epi64(a1, a3)};
        __m512i y[4] = {_mm512_unpacklo_epi64(a4, a6), _mm512_unpackhi_epi64(a4, a6),
                        _mm512_unpacklo_epi64(a5, a7), _mm512_unpackhi_epi64(a5, a7)};
        long base = t / 2;
        for (int e = 0; e < 4; e++) {
            __m512i front = _mm512_permutex2var_epi64(x[e], low, y[e]);  // pairs e and 4 + e, 8 rows each
            __m512i back = _mm512_permutex2var_epi64(x[e], high, y[e]);  // pairs 8 + e and 12 + e
            store_pairs(out, out_stride, base + e, kcp, _mm512_castsi512_si256(front));
            store_pairs(out, out_stride, base + 4 + e, kcp, _mm512_extracti64x4_epi64(front, 1));
            store_pairs(out, out_stride, base + 8 + e, kcp, _mm512_castsi512_si256(back));
            store_pairs(out, out_stride, base + 12 + e, kcp, _mm512_extracti64x4_epi64(back, 1));
        }
    }
}

/// Packs inner positions `p0 ..< p0 + kc` of `op(B)` (`k × n`) into column panels `nr` wide
/// (16 or NR): panel `jp` holds, for each pair `kp`, `nr` words (column `j`'s values at `2kp`
/// and `2kp + 1`); columns past `n` and a missing last inner position are zero.
BF16_TARGET static void pack_b(int transpose, const float *b, long ldb, long n, long nr, long p0, long kc,
                               uint32_t *out) {
    long kcp = (kc + 1) / 2, panels = (n + nr - 1) / nr;
    if (!transpose) {
        for (long jp = 0; jp < panels; jp++) {
            uint32_t *panel = out + jp * kcp * nr;
            for (long kp = 0; kp < kcp; kp++) {
                const float *row0 = b + (p0 + 2 * kp) * ldb, *row1 = row0 + ldb;
                int has_second = 2 * kp + 1 < kc;
                for (long h = 0; h < nr; h += 16) {
                    long j = jp * nr + h;
                    __mmask16 mask = lane_mask(n - j);
                    __m512 x0 = _mm512_maskz_loadu_ps(mask, row0 + j);
                    __m512 x1 = has_second ? _mm512_maskz_loadu_ps(mask, row1 + j) : _mm512_setzero_ps();
                    _mm512_store_si512(panel + kp * nr + h, interleaved_pairs(x0, x1));
                }
            }
        }
        return;
    }
    // Transposed: row j of B holds column j of op(B), its pairs in order; 8 columns at a time.
    for (long j = 0; j < panels * nr; j += 8) {
        pack_rows_transposed(b + j * ldb + p0, ldb, n - j, kc, out + (j / nr) * kcp * nr + (j % nr), nr);
    }
}

/// Packs rows `i0 ..< i0 + mc` and inner positions `p0 ..< p0 + kc` of `op(A)` into row
/// panels of MR: panel `ip` holds, for each pair `kp`, MR words (row `i`'s values at `2kp`
/// and `2kp + 1`); rows past `mc` are zero.
BF16_TARGET static void pack_a(int transpose, const float *a, long lda, long i0, long mc, long p0, long kc,
                               uint32_t *out) {
    long kcp = (kc + 1) / 2, panels = (mc + MR - 1) / MR;
    if (!transpose) {
        for (long ip = 0; ip < panels; ip++) {
            pack_rows_transposed(a + (i0 + ip * MR) * lda + p0, lda, mc - ip * MR, kc, out + ip * kcp * MR, MR);
        }
        return;
    }
    // Transposed: row `p` of A holds inner position `p` of every row of op(A), so 16 rows of
    // op(A) pack from two rows of A at a time, into two panels.
    for (long kp = 0; kp < kcp; kp++) {
        const float *row0 = a + (p0 + 2 * kp) * lda + i0, *row1 = row0 + lda;
        int has_second = 2 * kp + 1 < kc;
        for (long r = 0; r < panels * MR; r += 16) {
            __mmask16 mask = lane_mask(mc - r);
            __m512 x0 = _mm512_maskz_loadu_ps(mask, row0 + r);
            __m512 x1 = has_second ? _mm512_maskz_loadu_ps(mask, row1 + r) : _mm512_setzero_ps();
            __m512i pairs = interleaved_pairs(x0, x1);
            long panel = r / MR;
            _mm256_storeu_si256((__m256i *)(out + panel * kcp * MR + kp * MR), _mm512_castsi512_si256(pairs));
            if (panel + 1 < panels) {
                _mm256_storeu_si256((__m256i *)(out + (panel + 1) * kcp * MR + kp * MR),
                                    _mm512_extracti64x4_epi64(pairs, 1));
            }
        }
    }
}

/// `C = alpha · sum + beta · C` (the first inner block) or `C += alpha · sum` for the lanes
/// of `mask` of 16 floats of `C` at `target`.
BF16_TARGET static inline void store_sum(float *target, __mmask16 mask, __m512 sum, __m512 alpha, float beta,
                                         int first_block) {
    if (!mask) return;
    __m512 value = _mm512_mul_ps(alpha, sum);
    if (!first_block) {
        value = _mm512_add_ps(value, _mm512_maskz_loadu_ps(mask, target));
    } else if (beta != 0) {
        value = _mm512_fmadd_ps(_mm512_set1_ps(beta), _mm512_maskz_loadu_ps(mask, target), value);
    }
    _mm512_mask_storeu_ps(target, mask, value);
}

/// One MR × NR tile of `C` from a row panel and a column panel: the products summed in
/// registers, then stored (`store_sum`) for the `rows × cols` part of the tile inside `C`.
BF16_TARGET static void multiply_tile(long kcp, const uint32_t *ap, const uint32_t *bp, float *c, long ldc,
                                      long rows, long cols, float alpha, float beta, int first_block) {
    __m512 sum[MR][2];
    for (int r = 0; r < MR; r++) sum[r][0] = sum[r][1] = _mm512_setzero_ps();
    for (long kp = 0; kp < kcp; kp++) {
        __m512bh b0 = (__m512bh)_mm512_load_si512(bp + kp * NR);
        __m512bh b1 = (__m512bh)_mm512_load_si512(bp + kp * NR + 16);
        for (int r = 0; r < MR; r++) {
            __m512bh pair = (__m512bh)_mm512_set1_epi32((int)ap[kp * MR + r]);
            sum[r][0] = _mm512_dpbf16_ps(sum[r][0], pair, b0);
            sum[r][1] = _mm512_dpbf16_ps(sum[r][1], pair, b1);
        }
    }
    const __m512 scale = _mm512_set1_ps(alpha);
    const __mmask16 left = lane_mask(cols), right = lane_mask(cols - 16);
    for (int r = 0; r < MR; r++) {
        if (r >= rows) break;
        store_sum(c + r * ldc, left, sum[r][0], scale, beta, first_block);
        store_sum(c + r * ldc + 16, right, sum[r][1], scale, beta, first_block);
    }
}

/// `multiply_tile` for a column panel 16 wide, for products of at most 16 columns.
BF16_TARGET static void multiply_narrow_tile(long kcp, const uint32_t *ap, const uint32_t *bp, float *c, long ldc,
                                             long rows, long cols, float alpha, float beta, int first_block) {
    __m512 sum[MR];
    for (int r = 0; r < MR; r++) sum[r] = _mm512_setzero_ps();
    for (long kp = 0; kp < kcp; kp++) {
        __m512bh b = (__m512bh)_mm512_load_si512(bp + kp * 16);
        for (int r = 0; r < MR; r++) {
            sum[r] = _mm512_dpbf16_ps(sum[r], (__m512bh)_mm512_set1_epi32((int)ap[kp * MR + r]), b);
        }
    }
    const __m512 scale = _mm512_set1_ps(alpha);
    const __mmask16 mask = lane_mask(cols);
    for (int r = 0; r < MR; r++) {
        if (r >= rows) break;
        store_sum(c + r * ldc, mask, sum[r], scale, beta, first_block);
    }
}

BF16_TARGET static void multiply(int transpose_a, int transpose_b, long m, long n, long k, float alpha,
                                 const float *a, long lda, const float *b, long ldb, float beta, float *c,
                                 long ldc) {
    long nr = n <= 16 ? 16 : NR, column_panels = (n + nr - 1) / nr;
    for (long p0 = 0; p0 < k; p0 += KC) {
        long kc = k - p0 < KC ? k - p0 : KC, kcp = (kc + 1) / 2;
        uint32_t *bp = reserve(&packed_b, (size_t)(column_panels * kcp * nr));
        pack_b(transpose_b, b, ldb, n, nr, p0, kc, bp);
        for (long i0 = 0; i0 < m; i0 += MC) {
            long mc = m - i0 < MC ? m - i0 : MC, row_panels = (mc + MR - 1) / MR;
            uint32_t *ap = reserve(&packed_a, (size_t)(row_panels * kcp * MR));
            pack_a(transpose_a, a, lda, i0, mc, p0, kc, ap);
            for (long jp = 0; jp < column_panels; jp++) {
                for (long ip = 0; ip < row_panels; ip++) {
                    long rows = mc - ip * MR < MR ? mc - ip * MR : MR;
                    float *tile = c + (i0 + ip * MR) * ldc + jp * nr;
                    (nr == NR ? multiply_tile : multiply_narrow_tile)(kcp, ap + ip * kcp * MR, bp + jp * kcp * nr, tile, ldc,
                                                                     rows, n - jp * nr, alpha, beta, p0 == 0);
                }
            }
        }
    }
}

void dtrn_bf16_gemm(int transpose_a, int transpose_b, long m, long n, long k, float alpha,
                    const float *a, long lda, const float *b, long ldb, float beta, float *c, long ldc) {
    if (m <= 0 || n <= 0) return;
    if (k <= 0) {
        for (long i = 0; i < m; i++) {
            for (long j = 0; j < n; j++) c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j];
        }
        return;
    }
    multiply(transpose_a, transpose_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
