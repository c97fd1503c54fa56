import Tensor

/// An algorithm that updates parameters from their gradients.
///
/// An optimizer is bound to its parameters when created and keeps its ``OptimizerState``.
/// A training step reads:
///
/// ```swift
/// let optimizer = Adam(parameters: model.parameters(), learningRate: 1e-3)
/// loss.backward()
/// optimizer.learningRate = schedule(optimizer.stepCount)   // optional
/// optimizer.step()                                         // updates, then clears the gradients
/// ```
///
/// Dense gradients update whole tensors. Row-sparse gradients (``Tensor/rowGrad``, from
/// embedding tables with `prefersRowSparseGradient`) update lazily: only the rows used since the
/// last step change, together with their slots; bias corrections still use the global step count,
/// and weight decay touches the used rows only.
public protocol Optimizer: AnyObject {
    /// The step size used by the next ``step(gradientScale:)``; set it before a step to follow a schedule.
    var learningRate: Float { get set }
    /// The parameters, the step count and the per-parameter buffers.
    var state: OptimizerState { get }
    /// Updates every parameter that holds a gradient from that gradient multiplied by
    /// `gradientScale` (see ``GradientNorm/clippingScale(maxNorm:)``), counts the step,
    /// and clears the gradients.
    func step(gradientScale: Float)
}

extension Optimizer {
    /// Updates every parameter that holds a gradient, counts the step, and clears the gradients.
    public func step() {
        step(gradientScale: 1)
    }

    /// The parameters this optimizer updates.
    public var parameters: [(name: String, tensor: Tensor)] { state.parameters }

    /// The number of steps taken.
    public var stepCount: Int { state.stepCount }
}
