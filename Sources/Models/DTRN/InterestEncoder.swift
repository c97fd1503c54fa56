import NN
import Tensor

/// A post-norm Transformer encoder block whose two layer norms take their scale and shift
/// from outside: `H' = LN1(H + MHA(H))`, `H'' = LN2(H' + FFN(H'))`.
///
/// Because the norms come last, `H + MHA(H)` does not depend on the conditioning, so it is
/// computed once (``attend(packed:_:)``) and shared by every condition (``finish(_:norms:)``).
/// Both run on the real positions alone (``SequencePacking``).
public final class InterestEncoder: Module {
    /// The scale and shift of the two layer norms, each broadcasting against the positions.
    public struct Norms {
        public var gamma1: Tensor, beta1: Tensor, gamma2: Tensor, beta2: Tensor

        /// The scales and shifts of the first and second norm.
        public init(gamma1: Tensor, beta1: Tensor, gamma2: Tensor, beta2: Tensor) {
            (self.gamma1, self.beta1, self.gamma2, self.beta2) = (gamma1, beta1, gamma2, beta2)
        }
    }

    /// The self-attention.
    public let attention: MultiHeadAttention
    /// The position-wise feed-forward network `d → hidden → d`.
    public let feedForward: MLP
    private let norm = ConditionalLayerNorm()

    /// An encoder block of width `dimension` whose feed-forward layer uses `activation`.
    public init(dimension: Int, heads: Int, feedForwardHidden: Int, activation: Activation,
                generator: inout RandomGenerator) {
        attention = MultiHeadAttention(dimension: dimension, heads: heads, generator: &generator)
        feedForward = MLP(inputSize: dimension, hidden: [feedForwardHidden, dimension], style: LayerStyle(activation: activation),
                          activateLast: false, generator: &generator)
    }

    /// The condition-independent residual `H + MHA(H)` for the real positions of a batch of
    /// sequences, `h: [R, d]` as `packing` holds them.
    public func attend(packed h: Tensor, _ packing: SequencePacking) -> Tensor {
        h + attention(packed: h, packing)
    }

    /// The block's output for a precomputed residual (of any leading shape `[…, d]`).
    public func finish(_ residual: Tensor, norms: Norms) -> Tensor {
        let h1 = norm(residual, gamma: norms.gamma1, beta: norms.beta1)
        return norm(h1 + feedForward(h1), gamma: norms.gamma2, beta: norms.beta2)
    }
}
