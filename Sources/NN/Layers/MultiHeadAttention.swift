import Tensor

/// Multi-head scaled dot-product self-attention over sequences of different lengths.
///
/// Queries, keys and values come from one fused projection (`d → 3d`), so the three
/// projections are one matrix product, and the heads attend in one op
/// (``Tensor/selfAttention(heads:segments:)``) that reads them from it in place. The
/// sequences are packed (``SequencePacking``): the projections and the attention run on real
/// positions only.
public final class MultiHeadAttention: Module {
    /// The fused query/key/value projection, `d → 3d`.
    public let projection: Linear
    /// The output projection, `d → d`.
    public let output: Linear
    /// The number of heads; `d` must be divisible by it.
    public let heads: Int

    /// Attention over width `dimension` with `heads` heads.
    public init(dimension: Int, heads: Int, generator: inout RandomGenerator) {
        precondition(heads > 0 && dimension % heads == 0, "width \(dimension) is not divisible into \(heads) heads")
        projection = Linear(inputSize: dimension, outputSize: 3 * dimension, generator: &generator)
        output = Linear(inputSize: dimension, outputSize: dimension, generator: &generator)
        self.heads = heads
    }

    /// Attends over the real positions `packing` holds, `x: [R, d]`, each within its own
    /// sequence, giving `[R, d]`.
    public func callAsFunction(packed x: Tensor, _ packing: SequencePacking) -> Tensor {
        output(projection(x).selfAttention(heads: heads, segments: packing.offsets))
    }

    /// Attends over `x: [N, L, d]`; `keyMask: [N, L]` has 1 for real positions and 0 for
    /// padding, which no query attends to and whose outputs are zeros.
    public func callAsFunction(_ x: Tensor, keyMask: Tensor) -> Tensor {
        let packing = SequencePacking(mask: keyMask)
        return packing.unpack(self(packed: packing.pack(x), packing))
    }
}
