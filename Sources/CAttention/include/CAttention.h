#ifndef DTRN_CATTENTION_H
#define DTRN_CATTENTION_H

/// The forward of multi-head self-attention over one packed sequence, for x86-64 CPUs with
/// AVX512F: every head's scores, softmax and weighted values in 16-lane registers, read
/// straight from the fused query/key/value rows. The caller checks the CPU (the same
/// AVX512F check as `dtrn_narrow_gemm_available()`).

/// The widest head ``dtrn_attention_forward`` takes.
#define DTRN_ATTENTION_MAX_HEAD_WIDTH 16

/// Self-attention of one sequence of `length ≥ 1` positions whose rows (`row_stride` floats
/// apart) hold `heads` queries, then `heads` keys, then `heads` values of `head_width`
/// (at most `DTRN_ATTENTION_MAX_HEAD_WIDTH`) floats each, heads side by side.
///
/// For each head h, `softmax(Q Kᵀ / √head_width) · V`: the probabilities go to
/// `probabilities`, `[heads, length, padded]` with `padded = ⌈length / 16⌉ · 16` and zeros past
/// `length`; the context of position i and head h to `context + i · context_stride + h ·
/// head_width`. `scratch` holds `head_width · padded` floats (the keys laid out by column).
/// The exponential is a degree-6 polynomial after range reduction by powers of two (relative
/// error below 2e-7), the same as the Swift kernels'.
void dtrn_attention_forward(long length, long heads, long head_width, const float *qkv, long row_stride,
                            float *probabilities, float *context, long context_stride, float *scratch);

#endif
