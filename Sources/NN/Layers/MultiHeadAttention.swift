import Tensor

/// Multi-head scaled dot-product self-attention with a key-padding mask.
///
/// Queries, keys and values come from one fused projection (`d → 3d`), so the three
/// projections are one matrix product, and the heads attend in one op
/// (``Tensor/selfAttention(heads:keyMask:)``) that reads them from it in place.
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

    /// Attends over `x: [N, L, d]`; `keyMask: [N, L]` has 1 for real positions and 0 for
    /// padding, which no query attends to.
    public func callAsFunction(_ x: Tensor, keyMask: Tensor?) -> Tensor {
        output(projection(x).selfAttention(heads: heads, keyMask: keyMask))
    }
}
