import Foundation
import Tensor

/// Multi-head scaled dot-product self-attention with a key-padding mask.
///
/// Queries, keys and values come from one fused projection (`d → 3d`), so the three
/// projections are one matrix product.
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
        let (n, l, d) = (x.shape[0], x.shape[1], x.shape[2])
        let headSize = d / heads
        // [N, L, 3, H, dh] → [3, N, H, L, dh]
        let qkv = projection(x).reshaped([n, l, 3, heads, headSize]).permuted([2, 0, 3, 1, 4])
        let parts = qkv.split([1, 1, 1], axis: 0).map { $0.reshaped([n, heads, l, headSize]) }
        let scores = parts[0].batchedMatmul(parts[1], transposeOther: true) * (1 / Float(headSize).squareRoot())
        let weights = scores.softmax(mask: keyMask)
        let context = weights.batchedMatmul(parts[2]).permuted([0, 2, 1, 3]).reshaped([n, l, d])
        return output(context)
    }
}
