import Models
import NN
import Tensor

/// How per-task losses are combined: fixed weights, or learned by homoscedastic uncertainty
/// (Kendall, Gal and Cipolla, CVPR 2018): `Σ_t exp(−s_t)·L_t + s_t` with a learned
/// log-variance `s_t` per task.
public final class TaskWeighting: Module {
    /// The learned log-variances `s`, `[T]`, when uncertainty weighting is on.
    public let logVariance: Tensor?

    /// Weighting for `tasks` tasks, learned when `learned` is true.
    public init(tasks: Int, learned: Bool) {
        logVariance = learned ? Tensor.zeros([tasks], requiresGrad: true) : nil
    }

    /// The loss to minimise: the fixed-weight total, or with learned weights
    /// `Σ_t exp(−s_t)·w_t·L_t + s_t` plus the model's auxiliary term. With `share` (one
    /// process's part of a data-parallel step, as `value` was computed), the `s_t` terms are
    /// split evenly over the processes, so that their totals add up to one process's total.
    public func total(_ value: MultiTaskLoss.Value, taskWeights: [Float], share: LossShare? = nil) -> Tensor {
        guard let s = logVariance else { return value.total }
        let weighted = value.perTaskLoss * Tensor(shape: [taskWeights.count], values: taskWeights)
        let regulariser = share.map { s * $0.replicaFraction } ?? s
        let combined = ((-s).exp() * weighted + regulariser).sum()
        return value.auxiliary.map { combined + $0 } ?? combined
    }
}
