import Foundation

/// One Adam step on a span, shared by ``Adam`` (L2 regularisation) and ``AdamW`` (decoupled
/// weight decay). With PyTorch's arrangement of the bias corrections, at step `t`:
///
/// ```
/// g ← s·g + λ·p                                   (Adam's L2 term; λ = 0 for AdamW)
/// p ← (1 − η·λw)·p                                (AdamW's decoupled decay; λw = 0 for Adam)
/// m ← β1·m + (1 − β1)·g
/// v ← β2·v + (1 − β2)·g²
/// p ← p − (η / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε)
/// ```
///
/// Slot 0 is `m`, slot 1 is `v`.
struct AdamUpdate: ElementwiseUpdate {
    let beta1: Float, beta2: Float, epsilon: Float
    let gradientScale: Float
    /// λ, the L2 coefficient.
    let l2: Float
    /// `1 − η·λw`.
    let decayFactor: Float
    /// `η / (1 − β1ᵗ)`.
    let stepSize: Float
    /// `1 / √(1 − β2ᵗ)`.
    let inverseRootCorrection: Float

    /// The update for step `t` (from 1).
    init(step t: Int, learningRate: Float, beta1: Float, beta2: Float, epsilon: Float,
         l2: Float, decoupledDecay: Float, gradientScale: Float) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.gradientScale = gradientScale
        self.l2 = l2
        decayFactor = 1 - learningRate * decoupledDecay
        stepSize = learningRate / Float(1 - pow(Double(beta1), Double(t)))
        inverseRootCorrection = Float(1 / (1 - pow(Double(beta2), Double(t))).squareRoot())
    }

    @inline(__always) func update<L: FloatLanes>(_ span: ParameterSpan, at i: Int, lanes: L.Type) {
        let (pp, mp, vp) = (span.parameter + i, span.slot(0) + i, span.slot(1) + i)
        var p = L.load(pp)
        let g = L.load(span.gradient + i) * L(broadcast: gradientScale) + p * L(broadcast: l2)
        let m = L(broadcast: beta1) * L.load(mp) + L(broadcast: 1 - beta1) * g
        let v = L(broadcast: beta2) * L.load(vp) + L(broadcast: 1 - beta2) * (g * g)
        m.store(mp)
        v.store(vp)
        p = p * L(broadcast: decayFactor)
        let denominator = v.squareRoot() * L(broadcast: inverseRootCorrection) + L(broadcast: epsilon)
        (p - L(broadcast: stepSize) * m / denominator).store(pp)
    }
}
