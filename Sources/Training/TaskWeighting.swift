import Models
import NN
import Tensor

/// How per-task losses are combined: fixed weights, learned by homoscedastic uncertainty
/// (Kendall, Gal and Cipolla, CVPR 2018): `Σ_t exp(−s_t)·L_t + s_t` with a learned
/// log-variance `s_t` per task, or learned by GradNorm (``GradNormWeighting``).
public final class TaskWeighting: Module {
    /// The learned log-variances `s`, `[T]`, when uncertainty weighting is on.
    public let logVariance: Tensor?
    /// GradNorm's learned weights, when GradNorm weighting is on.
    public let gradNorm: GradNormWeighting?

    /// Weighting for `tasks` tasks, learned by uncertainty when `learned` is true, or by
    /// GradNorm with asymmetry `gradNormAlpha` when that is given.
    public init(tasks: Int, learned: Bool, gradNormAlpha: Float? = nil) {
        logVariance = learned ? Tensor.zeros([tasks], requiresGrad: true) : nil
        gradNorm = gradNormAlpha.map { GradNormWeighting(tasks: tasks, alpha: $0) }
    }

    /// The weighting `config` asks for, for `tasks` tasks.
    public convenience init(tasks: Int, config: TrainingConfig) {
        self.init(tasks: tasks, learned: config.uncertaintyWeighting,
                  gradNormAlpha: config.taskWeighting == "gradnorm" ? config.gradNormAlpha ?? TrainingConfig.defaultGradNormAlpha : nil)
    }

    /// The loss to minimise: the fixed-weight total, or with learned weights
    /// `Σ_t exp(−s_t)·w_t·L_t + s_t` (GradNorm's `Σ_t g_t·w_t·L_t`) plus the model's auxiliary
    /// term. With `share` (one process's part of a data-parallel step, as `value` was computed),
    /// the `s_t` terms are split evenly over the processes, so that their totals add up to one
    /// process's total.
    public func total(_ value: MultiTaskLoss.Value, taskWeights: [Float], share: LossShare? = nil) -> Tensor {
        if let gradNorm {
            let combined = (value.perTaskLoss * Tensor(shape: [taskWeights.count], values: zip(taskWeights, gradNorm.values).map(*))).sum()
            return value.auxiliary.map { combined + $0 } ?? combined
        }
        guard let s = logVariance else { return value.total }
        let weighted = value.perTaskLoss * Tensor(shape: [taskWeights.count], values: taskWeights)
        let regulariser = share.map { s * $0.replicaFraction } ?? s
        let combined = ((-s).exp() * weighted + regulariser).sum()
        return value.auxiliary.map { combined + $0 } ?? combined
    }

    /// Each task's term of ``total(_:taskWeights:share:)`` without the auxiliary term (their sum
    /// is the rest): `w_t·L_t`, `exp(−s_t)·w_t·L_t + s_t`, or `g_t·w_t·L_t` with GradNorm's
    /// weight `g_t` held constant.
    func taskTerms(_ value: MultiTaskLoss.Value, taskWeights: [Float]) -> [Tensor] {
        let g = gradNorm?.values
        return taskWeights.indices.map { t in
            let loss = value.perTaskLoss.slice(axis: 0, t..<(t + 1)).sum()
            if let s = logVariance?.slice(axis: 0, t..<(t + 1)).sum() {
                return (-s).exp() * loss * taskWeights[t] + s
            }
            return loss * (taskWeights[t] * (g?[t] ?? 1))
        }
    }
}
