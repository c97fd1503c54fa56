import NN
import Tensor

/// A post-norm Transformer encoder block whose two layer norms take their scale and shift
/// from outside: `H' = LN1(H + MHA(H))`, `H'' = LN2(H' + FFN(H'))`.
///
/// Because the norms come last, `MHA(H)` does not depend on the conditioning, so it is
/// computed once (``attend(packed:_:)``) and shared by every condition (``finish(_:norms:)``).
/// Both run on the real positions alone (``SequencePacking``); each residual sum is made
/// inside the norm that reads it.
public final class InterestEncoder: Module {
    /// The scale and shift of the two layer norms, each broadcasting against the positions.
    public struct Norms {
        public var gamma1: Tensor, beta1: Tensor, gamma2: Tensor, beta2: Tensor

        /// The scales and shifts of the first and second norm.
        public init(gamma1: Tensor, beta1: Tensor, gamma2: Tensor, beta2: Tensor) {
            (self.gamma1, self.beta1, self.gamma2, self.beta2) = (gamma1, beta1, gamma2, beta2)
        }
    }

    /// The positions of a block's input and their self-attention, both `[R, d]`, to be summed
    /// inside the first norm.
    public struct Attended {
        /// The block's input `H`.
        public var positions: Tensor
        /// `MHA(H)`.
        public var attention: Tensor

        /// The input `positions` and their self-attention `attention`, of one shape.
        public init(positions: Tensor, attention: Tensor) {
            (self.positions, self.attention) = (positions, attention)
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

    /// The condition-independent part of the block, the positions `h: [R, d]` (of a batch of
    /// sequences as `packing` holds them) with their self-attention `MHA(h)`.
    public func attend(packed h: Tensor, _ packing: SequencePacking) -> Attended {
        Attended(positions: h, attention: attention(packed: h, packing))
    }

    /// The block's output for precomputed attention (of any leading shape `[…, d]`).
    public func finish(_ attended: Attended, norms: Norms) -> Tensor {
        let h1 = norm(attended.positions, plus: attended.attention, gamma: norms.gamma1, beta: norms.beta1)
        return norm(h1, plus: feedForward(h1), gamma: norms.gamma2, beta: norms.beta2)
    }
}
