import Tensor

/// How a model is trained: optimisation, schedule, early stopping and loss weighting.
/// Read from the `training` section of a YAML/JSON config and overridden by options.
public struct TrainingConfig: Codable, Sendable, Equatable {
    /// The optimiser: `adam`, `adamw`, `sgd` or `adagrad`. Embedding tables always get
    /// lazy row-sparse updates.
    public var optimizer = "adam"
    /// Passes over the training split.
    public var epochs = 3
    /// Samples per step.
    public var batchSize = 1024
    /// The peak learning rate.
    public var learningRate: Float = 1e-3
    /// L2 weight decay (decoupled for AdamW); on embedding tables it touches the rows used.
    public var weightDecay: Float = 0
    /// Steps of linear warm-up from 0 to the peak learning rate.
    public var warmupSteps = 0
    /// The decay after warm-up: `none`, `cosine` (to 0 at the last step) or `exponential`.
    public var decay = "none"
    /// The per-epoch factor of exponential decay.
    public var decayRate: Float = 0.9
    /// Clip gradients to this global norm, when set.
    public var clipNorm: Float?
    /// The seed of weights, shuffling and dropout.
    public var seed: UInt64 = 42
    /// Epochs without improvement before stopping early (0: never stop early).
    public var patience = 2
    /// The validation metric that decides the best epoch: `mean-auc` or `auc:<task>`.
    public var monitor = "mean-auc"
    /// Per-task loss weights `w_t` (default 1 each).
    public var taskWeights: [Float]?
    /// Learn the task weights by homoscedastic uncertainty (Kendall et al., CVPR 2018).
    public var uncertaintyWeighting = false
    /// The learned task weighting besides uncertainty: `fixed` (default, also when nil) or
    /// `gradnorm` (Chen et al. 2018, see ``GradNormWeighting``).
    public var taskWeighting: String?
    /// GradNorm's asymmetry α (default ``defaultGradNormAlpha``).
    public var gradNormAlpha: Float?
    /// Gradient surgery on the shared parameters: `none` (default, also when nil) or `pcgrad`
    /// (Yu et al. 2020, see ``GradientSurgery``).
    public var gradientSurgery: String?
    /// Log gradient conflict between tasks every this many steps to `diagnostics.jsonl`
    /// (off when nil; see ``GradientConflictMonitor``).
    public var diagnosticsEvery: Int?
    /// Worker threads for kernels and BLAS (default: all cores, shared among the processes of
    /// a data-parallel job on one machine).
    public var threads: Int?
    /// The operand precision of matrix products (fp32 when nil): `bf16` rounds them to bf16
    /// and sums in fp32; weights, optimizer state and everything else stay fp32.
    public var precision: MatrixPrecision?

    /// GradNorm's asymmetry when not set, as Chen et al. use on their synthetic tasks.
    public static let defaultGradNormAlpha: Float = 1.5

    /// The defaults.
    public init() {}
}
