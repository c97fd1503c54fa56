import CBFloat16

/// The number format of matrix products' operands. Sums are always fp32, and so is
/// everything that is not a matrix product: weights, optimizer state, embeddings,
/// normalizations, softmax and losses.
public enum MatrixPrecision: String, Sendable, CaseIterable, Codable {
    /// fp32 operands through OpenBLAS: the default.
    case fp32
    /// Operands rounded to bf16 (nearest, ties to even) and products summed in fp32, as
    /// `torch.autocast("cpu", dtype=torch.bfloat16)` computes linear layers.
    case bf16
}

/// How the products of `MatrixPrecision.bf16` are computed.
public enum BFloat16Kernel: String, Sendable {
    /// AVX512-BF16's `vdpbf16ps` on packed bf16 operands: the fast path.
    case native
    /// The operands rounded to bf16 values held in fp32, then OpenBLAS's fp32 product: the
    /// same numbers up to the order of the sums (the products of two bf16 values are exact in
    /// fp32), for CPUs without AVX512-BF16; no faster than fp32.
    case emulated

    /// Whether this CPU and operating system run AVX512-BF16 instructions.
    public static let nativeIsAvailable = dtrn_bf16_native_available() != 0

    /// The kernel this machine runs: native where it can.
    public static var best: BFloat16Kernel { nativeIsAvailable ? .native : .emulated }
}

/// The bf16 number format: 8 exponent bits and 8 significand bits (7 stored), fp32's range
/// at 2⁻⁸ relative precision.
public enum BFloat16 {
    /// The unit roundoff of rounding to nearest: 2⁻⁸.
    public static let unitRoundoff: Float = 0x1p-8

    /// `values` rounded to the nearest bf16 (ties to even), as the kernels round operands:
    /// subnormals become a zero of their sign, NaN stays NaN, infinities stay.
    public static func rounded(_ values: [Float]) -> [Float] {
        var out = values
        guard !values.isEmpty else { return out }
        values.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { y in dtrn_bf16_round(x.baseAddress!, y.baseAddress!, x.count) }
        }
        return out
    }
}
