import Foundation
import NN
import Tensor

/// GradNorm task weights (Chen et al., "GradNorm: Gradient Normalization for Adaptive Loss
/// Balancing in Deep Multitask Networks", ICML 2018): learned weights `w_t` of the loss
/// `Σ_t w_t L_t`, trained so that every task's gradient norm on the last shared layer `W`
/// follows its relative training rate.
///
/// With `G_t = ‖∇_W w_t L_t‖`, `Ḡ` their mean, `L̃_t = L_t / L_t(0)` (the loss over its first
/// value) and `r_t = L̃_t / mean(L̃)`, the GradNorm loss is `Σ_t |G_t − Ḡ · r_t^α|`, its target
/// held constant; its gradient with respect to `w_t` is `sign(G_t − Ḡ r_t^α) · G_t / w_t`.
/// The weights take their step with the model's optimiser and are then renormalised to sum
/// to T (kept above 10⁻³ first, so that no task is switched off).
public final class GradNormWeighting: Module {
    /// The weights `w_t`, `[T]`, starting at 1.
    public let weights: Tensor
    /// Each task's first non-zero loss `L_t(0)`, `[T]` (0 until seen); saved with the weights.
    public let initialLosses: Tensor
    /// The asymmetry α: higher pulls harder towards equal training rates.
    public let alpha: Float

    /// Weights for `tasks` tasks with asymmetry `alpha`.
    public init(tasks: Int, alpha: Float) {
        weights = Tensor.full([tasks], 1, requiresGrad: true)
        initialLosses = Tensor.zeros([tasks])
        self.alpha = alpha
    }

    /// Sets the weights' gradient from each task's gradient norm `G_t` on the last shared
    /// layer (of its weighted loss) and its loss `L_t` this step.
    func setGradient(norms: [Double], losses: [Double]) {
        let tasks = losses.count
        for t in 0..<tasks where initialLosses[flat: t] == 0 && losses[t] > 0 { initialLosses[flat: t] = Float(losses[t]) }
        let rates = (0..<tasks).map { t in initialLosses[flat: t] > 0 ? losses[t] / Double(initialLosses[flat: t]) : 1 }
        let meanRate = rates.reduce(0, +) / Double(tasks), meanNorm = norms.reduce(0, +) / Double(tasks)
        let gradient = (0..<tasks).map { t -> Float in
            let target = meanNorm * Foundation.pow(rates[t] / max(meanRate, 1e-12), Double(alpha))
            let w = Double(weights[flat: t])
            let difference = norms[t] - target
            return Float((difference > 0 ? 1 : difference < 0 ? -1 : 0) * norms[t] / max(w, 1e-12))
        }
        weights.grad = Tensor(shape: [tasks], values: gradient)
    }

    /// Renormalises the weights to sum to T, after the optimiser's step.
    func renormalise() {
        let tasks = weights.count
        for t in 0..<tasks { weights[flat: t] = max(weights[flat: t], 1e-3) }
        let total = (0..<tasks).reduce(Float(0)) { $0 + weights[flat: $1] }
        for t in 0..<tasks { weights[flat: t] *= Float(tasks) / total }
    }

    /// The current weights.
    var values: [Float] { weights.values }
}
