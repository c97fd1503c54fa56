import Tensor

/// Layer normalisation over the last axis with a learned scale γ and shift β.
public final class LayerNorm: Module {
    /// The scale, `[size]`, initially 1.
    public let gamma: Tensor
    /// The shift, `[size]`, initially 0.
    public let beta: Tensor
    /// Added to the variance.
    public let epsilon: Float

    /// A layer norm over `size` features.
    public init(size: Int, epsilon: Float = 1e-5) {
        gamma = Tensor.full([size], 1, requiresGrad: true)
        beta = Tensor.zeros([size], requiresGrad: true)
        self.epsilon = epsilon
    }

    /// `γ ⊙ (x − μ)/σ + β` over the last axis of `x`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        x.layerNormalized(gamma: gamma, beta: beta, epsilon: epsilon)
    }
}

/// Layer normalisation whose scale and shift are given with each call (conditioned on
/// something else, for example by a hypernetwork), so it has no parameters of its own.
public struct ConditionalLayerNorm: Sendable {
    /// Added to the variance.
    public let epsilon: Float

    /// A conditional layer norm.
    public init(epsilon: Float = 1e-5) {
        self.epsilon = epsilon
    }

    /// `γ ⊙ (x − μ)/σ + β` over the last axis of `x`; `gamma` and `beta` broadcast against `x`
    /// (for `x: [N, L, d]`, per-sample conditions are `[N, 1, d]`).
    public func callAsFunction(_ x: Tensor, gamma: Tensor, beta: Tensor) -> Tensor {
        x.layerNormalized(gamma: gamma, beta: beta, epsilon: epsilon)
    }

    /// The norm of the residual sum `x + y` (of one shape), as one op: a post-norm block's
    /// `LN(x + sublayer(x))`.
    public func callAsFunction(_ x: Tensor, plus y: Tensor, gamma: Tensor, beta: Tensor) -> Tensor {
        x.layerNormalized(plus: y, gamma: gamma, beta: beta, epsilon: epsilon)
    }
}
