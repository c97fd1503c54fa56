import Tensor

/// Adam with decoupled weight decay (Loshchilov & Hutter), as PyTorch's `AdamW`. At step `t`:
///
/// ```
/// g ← s·g
/// p ← (1 − η·λw)·p
/// m ← β1·m + (1 − β1)·g
/// v ← β2·v + (1 − β2)·g²
/// p ← p − (η / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε)
/// ```
///
/// with `s` the gradient scale, `λw` the weight decay and `η` the learning rate: the decay
/// shrinks the parameter outside the moments. The slots are `firstMoment` and `secondMoment`.
///
/// For row-sparse gradients the update, decay included, touches only the used rows.
public final class AdamW: Optimizer {
    /// The step size η.
    public var learningRate: Float
    /// The decay rate of the first moment.
    public let beta1: Float
    /// The decay rate of the second moment.
    public let beta2: Float
    /// The term added to the denominator for stability.
    public let epsilon: Float
    /// The decoupled decay coefficient λw.
    public let weightDecay: Float
    /// The parameters, the step count and the slots `firstMoment` and `secondMoment`.
    public let state: OptimizerState

    /// AdamW over `parameters`.
    public init(
        parameters: [(name: String, tensor: Tensor)], learningRate: Float = 1e-3,
        beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 1e-2
    ) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        state = OptimizerState(parameters: parameters, slotNames: ["firstMoment", "secondMoment"])
    }

    /// Updates every parameter that holds a gradient, counts the step, and clears the gradients.
    public func step(gradientScale: Float) {
        state.stepCount += 1
        state.apply(AdamUpdate(step: state.stepCount, learningRate: learningRate, beta1: beta1, beta2: beta2,
                               epsilon: epsilon, l2: 0, decoupledDecay: weightDecay, gradientScale: gradientScale))
    }
}
