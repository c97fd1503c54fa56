import Tensor

/// Adagrad (Duchi et al.) with optional L2 regularisation, as PyTorch's `Adagrad` without
/// learning-rate decay:
///
/// ```
/// g ← s·g + λ·p
/// a ← a + g²
/// p ← p − η · g / (√a + ε)
/// ```
///
/// The slot `accumulator` (a) starts at `initialAccumulatorValue`. For row-sparse gradients only
/// the used rows and their accumulators change.
public final class Adagrad: Optimizer {
    /// The step size η.
    public var learningRate: Float
    /// The term added to the denominator for stability.
    public let epsilon: Float
    /// The L2 coefficient λ added to the gradient as `λ·p`.
    public let weightDecay: Float
    /// The parameters, the step count and the slot `accumulator`.
    public let state: OptimizerState

    /// Adagrad over `parameters`.
    public init(
        parameters: [(name: String, tensor: Tensor)], learningRate: Float = 1e-2,
        initialAccumulatorValue: Float = 0, epsilon: Float = 1e-10, weightDecay: Float = 0
    ) {
        self.learningRate = learningRate
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        state = OptimizerState(parameters: parameters, slotNames: ["accumulator"],
                               initialValue: initialAccumulatorValue)
    }

    /// Updates every parameter that holds a gradient, counts the step, and clears the gradients.
    public func step(gradientScale: Float) {
        state.stepCount += 1
        state.apply(AdagradUpdate(learningRate: learningRate, epsilon: epsilon, weightDecay: weightDecay,
                                  gradientScale: gradientScale))
    }
}

/// One Adagrad step on a span; slot 0 is the accumulator.
private struct AdagradUpdate: ElementwiseUpdate {
    let learningRate: Float, epsilon: Float, weightDecay: Float, gradientScale: Float

    @inline(__always) func update<L: FloatLanes>(_ span: ParameterSpan, at i: Int, lanes: L.Type) {
        let (pp, ap) = (span.parameter + i, span.slot(0) + i)
        let p = L.load(pp)
        let g = L.load(span.gradient + i) * L(broadcast: gradientScale) + p * L(broadcast: weightDecay)
        let a = L.load(ap) + g * g
        a.store(ap)
        (p - L(broadcast: learningRate) * g / (a.squareRoot() + L(broadcast: epsilon))).store(pp)
    }
}
