import Tensor

/// Stochastic gradient descent with optional momentum (heavy ball or Nesterov) and L2
/// regularisation, as PyTorch's `SGD` without dampening:
///
/// ```
/// g ← s·g + λ·p
/// v ← μ·v + g                      (when μ ≠ 0; v starts at 0)
/// g ← v,  or g + μ·v with Nesterov (when μ ≠ 0)
/// p ← p − η·g
/// ```
///
/// with `s` the gradient scale, `λ` the weight decay, `μ` the momentum and `η` the learning rate.
public final class SGD: Optimizer {
    /// The step size η.
    public var learningRate: Float
    /// The momentum μ (0 for plain gradient descent).
    public let momentum: Float
    /// Whether the step looks ahead along the velocity (Nesterov momentum).
    public let nesterov: Bool
    /// The L2 coefficient λ added to the gradient as `λ·p`.
    public let weightDecay: Float
    /// The parameters, the step count and, with momentum, the slot `velocity`.
    public let state: OptimizerState

    /// Plain or momentum SGD over `parameters`.
    public init(
        parameters: [(name: String, tensor: Tensor)], learningRate: Float,
        momentum: Float = 0, nesterov: Bool = false, weightDecay: Float = 0
    ) {
        precondition(!nesterov || momentum > 0, "SGD: Nesterov momentum needs a positive momentum")
        self.learningRate = learningRate
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
        state = OptimizerState(parameters: parameters, slotNames: momentum == 0 ? [] : ["velocity"])
    }

    /// Updates every parameter that holds a gradient, counts the step, and clears the gradients.
    public func step(gradientScale: Float) {
        state.stepCount += 1
        state.apply(SGDUpdate(learningRate: learningRate, momentum: momentum, nesterov: nesterov,
                              weightDecay: weightDecay, gradientScale: gradientScale))
    }
}

/// One SGD step on a span; slot 0 is the velocity when `momentum ≠ 0`.
private struct SGDUpdate: ElementwiseUpdate {
    let learningRate: Float, momentum: Float, nesterov: Bool, weightDecay: Float, gradientScale: Float

    @inline(__always) func update<L: FloatLanes>(_ span: ParameterSpan, at i: Int, lanes: L.Type) {
        let p = L.load(span.parameter + i)
        var g = L.load(span.gradient + i) * L(broadcast: gradientScale) + p * L(broadcast: weightDecay)
        if momentum != 0 {
            let mu = L(broadcast: momentum)
            let v = mu * L.load(span.slot(0) + i) + g
            v.store(span.slot(0) + i)
            g = nesterov ? g + mu * v : v
        }
        (p - L(broadcast: learningRate) * g).store(span.parameter + i)
    }
}
