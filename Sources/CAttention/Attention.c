#include "CAttention.h"

#include <immintrin.h>
#include <math.h>

/// The instruction set the kernel is compiled for; the library builds for any x86-64 CPU.
#define ATTENTION_TARGET __attribute__((target("avx512f")))

/// `e^x` in 16 lanes: `x = n·ln 2 + r` with n rounded by adding 1.5·2²³, `e^r` by a degree-6
/// polynomial, `2ⁿ` built in the exponent bits; saturates outside ±88.
ATTENTION_TARGET static inline __m512 exp16(__m512 x) {
    x = _mm512_max_ps(_mm512_min_ps(x, _mm512_set1_ps(88.3f)), _mm512_set1_ps(-87.3f));
    const __m512 shifted = _mm512_fmadd_ps(x, _mm512_set1_ps(1.442695041f), _mm512_set1_ps(12582912.0f));
    const __m512 n = _mm512_sub_ps(shifted, _mm512_set1_ps(12582912.0f));
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
    r = _mm512_fmadd_ps(n, _mm512_set1_ps(2.12194440e-4f), r);
    __m512 p = _mm512_set1_ps(1.9875691500e-4f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
    const __m512 y = _mm512_add_ps(_mm512_fmadd_ps(_mm512_mul_ps(p, r), r, r), _mm512_set1_ps(1));
    const __m512i integer = _mm512_sub_epi32(_mm512_castps_si512(shifted), _mm512_set1_epi32(0x4B400000));
    return _mm512_mul_ps(y, _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(integer, _mm512_set1_epi32(127)), 23)));
}

/// `scale · q · Kᵀ` into `scores` (`blocks` vectors of 16 keys), the keys by column `[w, blocks · 16]`:
/// four vectors at a time, each a chain of `w` multiply-adds.
ATTENTION_TARGET static inline void scores_of(const float *q, long w, const float *keys, long blocks, float scale,
                                              float *scores) {
    const long padded = blocks * 16;
    long b = 0;
    for (; b + 4 <= blocks; b += 4) {
        __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
        for (long c = 0; c < w; c++) {
            const __m512 x = _mm512_set1_ps(q[c]);
            const float *row = keys + c * padded + b * 16;
            s0 = _mm512_fmadd_ps(x, _mm512_loadu_ps(row), s0);
            s1 = _mm512_fmadd_ps(x, _mm512_loadu_ps(row + 16), s1);
            s2 = _mm512_fmadd_ps(x, _mm512_loadu_ps(row + 32), s2);
            s3 = _mm512_fmadd_ps(x, _mm512_loadu_ps(row + 48), s3);
        }
        const __m512 k = _mm512_set1_ps(scale);
        _mm512_storeu_ps(scores + b * 16, _mm512_mul_ps(s0, k));
        _mm512_storeu_ps(scores + b * 16 + 16, _mm512_mul_ps(s1, k));
        _mm512_storeu_ps(scores + b * 16 + 32, _mm512_mul_ps(s2, k));
        _mm512_storeu_ps(scores + b * 16 + 48, _mm512_mul_ps(s3, k));
    }
    for (; b < blocks; b++) {
        __m512 s = _mm512_setzero_ps();
        for (long c = 0; c < w; c++) s = _mm512_fmadd_ps(_mm512_set1_ps(q[c]), _mm512_loadu_ps(keys + c * padded + b * 16), s);
        _mm512_storeu_ps(scores + b * 16, _mm512_mul_ps(s, _mm512_set1_ps(scale)));
    }
}

/// Softmax in place over the first `length` of `blocks · 16` scores; the rest become 0.
ATTENTION_TARGET static inline void softmax_of(float *row, long length, long blocks) {
    const long last = blocks - 1;
    const __mmask16 kept = (__mmask16)(length - last * 16 >= 16 ? 0xffff : (1u << (length - last * 16)) - 1);
    __m512 largest = _mm512_set1_ps(-INFINITY);
    for (long b = 0; b < last; b++) largest = _mm512_max_ps(largest, _mm512_loadu_ps(row + b * 16));
    largest = _mm512_mask_max_ps(largest, kept, largest, _mm512_loadu_ps(row + last * 16));
    const __m512 m = _mm512_set1_ps(_mm512_reduce_max_ps(largest));
    __m512 total = _mm512_setzero_ps();
    for (long b = 0; b < blocks; b++) {
        __m512 e = exp16(_mm512_sub_ps(_mm512_loadu_ps(row + b * 16), m));
        if (b == last) e = _mm512_maskz_mov_ps(kept, e);
        _mm512_storeu_ps(row + b * 16, e);
        total = _mm512_add_ps(total, e);
    }
    const __m512 inverse = _mm512_set1_ps(1 / _mm512_reduce_add_ps(total));
    for (long b = 0; b < blocks; b++) _mm512_storeu_ps(row + b * 16, _mm512_mul_ps(_mm512_loadu_ps(row + b * 16), inverse));
}

/// `Σ_j p_j v_j` over `length` values `stride` floats apart, `w` lanes each, in four running sums.
ATTENTION_TARGET static inline __m512 weighted_values(const float *p, const float *values, long stride, long length,
                                                      __mmask16 lanes) {
    __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    long j = 0;
    for (; j + 4 <= length; j += 4) {
        s0 = _mm512_fmadd_ps(_mm512_set1_ps(p[j]), _mm512_maskz_loadu_ps(lanes, values + j * stride), s0);
        s1 = _mm512_fmadd_ps(_mm512_set1_ps(p[j + 1]), _mm512_maskz_loadu_ps(lanes, values + (j + 1) * stride), s1);
        s2 = _mm512_fmadd_ps(_mm512_set1_ps(p[j + 2]), _mm512_maskz_loadu_ps(lanes, values + (j + 2) * stride), s2);
        s3 = _mm512_fmadd_ps(_mm512_set1_ps(p[j + 3]), _mm512_maskz_loadu_ps(lanes, values + (j + 3) * stride), s3);
    }
    for (; j < length; j++) s0 = _mm512_fmadd_ps(_mm512_set1_ps(p[j]), _mm512_maskz_loadu_ps(lanes, values + j * stride), s0);
    return _mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3));
}

ATTENTION_TARGET void dtrn_attention_forward(long length, long heads, long head_width, const float *qkv, long row_stride,
                                             float *probabilities, float *context, long context_stride, float *scratch) {
    const long blocks = (length + 15) / 16, padded = blocks * 16, d = heads * head_width;
    const float scale = 1 / __builtin_sqrtf((float)head_width);
    const __mmask16 lanes = (__mmask16)((1u << head_width) - 1);
    for (long h = 0; h < heads; h++) {
        // Head h's keys by column, zero past the sequence.
        for (long c = 0; c < head_width; c++) {
            float *column = scratch + c * padded;
            for (long j = 0; j < length; j++) column[j] = qkv[j * row_stride + d + h * head_width + c];
            for (long j = length; j < padded; j++) column[j] = 0;
        }
        const float *values = qkv + 2 * d + h * head_width;
        for (long i = 0; i < length; i++) {
            float *p = probabilities + (h * length + i) * padded;
            scores_of(qkv + i * row_stride + h * head_width, head_width, scratch, blocks, scale, p);
            softmax_of(p, length, blocks);
            _mm512_mask_storeu_ps(context + i * context_stride + h * head_width, lanes,
                                  weighted_values(p, values, row_stride, length, lanes));
        }
    }
}
