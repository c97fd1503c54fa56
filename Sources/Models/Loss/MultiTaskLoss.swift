import Tensor

/// The training loss of a multi-task model: one loss per task, weighted and summed, plus the
/// model's auxiliary term: `total = Σ_t w_t · loss_t + auxiliaryLoss`.
///
/// Each task's loss is a mean over the samples weighted by the label weights (weight 0 masks a
/// sample out of that task; a task without weight contributes 0):
/// - binary task, logits: cross-entropy of `σ(x)` (``Tensor/binaryCrossEntropyWithLogits(_:targets:weights:)``);
/// - binary task, probabilities: `−(y · log(p + ε) + (1 − y) · log(1 − p + ε))` with ε = ``epsilon``;
/// - regression task: the squared error `(x − y)²` of the raw output.
public struct MultiTaskLoss: Sendable {
    /// The loss of one batch.
    public struct Value {
        /// The weighted total, a rank-0 tensor to back-propagate.
        public var total: Tensor
        /// Each task's loss before task weighting, for logging.
        public var perTask: [Float]
        /// Each task's loss before task weighting, `[T]`, in the graph (for learned weighting).
        public var perTaskLoss: Tensor
        /// The model's auxiliary term as it enters the total (scaled to the share), if any.
        public var auxiliary: Tensor?
    }

    /// Keeps the logarithms of the cross-entropy on probabilities finite at 0 and 1.
    public static let epsilon: Float = 1e-7

    /// The tasks, in output column order.
    public let tasks: [FeatureLayout.Task]
    /// Each task's weight `w_t` in the total.
    public let taskWeights: [Float]

    /// The loss over `tasks`, weighted by `taskWeights` (all 1 when nil).
    public init(tasks: [FeatureLayout.Task], taskWeights: [Float]? = nil) {
        precondition(taskWeights.map { $0.count == tasks.count } ?? true,
                     "\(taskWeights?.count ?? 0) task weights for \(tasks.count) tasks")
        self.tasks = tasks
        self.taskWeights = taskWeights ?? Array(repeating: 1, count: tasks.count)
    }

    /// The loss of `predictions` against `labels` (`[N, T]`), each label weighted by
    /// `labelWeights` (`[N, T]`, non-negative; all 1 when nil). With `share`, the rows are one
    /// process's part of a global batch and the result is that part of the global batch's loss.
    public func callAsFunction(
        _ predictions: TaskPredictions, labels: Tensor, labelWeights: Tensor? = nil, share: LossShare? = nil
    ) -> Value {
        let outputs = predictions.outputs
        precondition(outputs.rank == 2 && outputs.shape[1] == tasks.count && labels.shape == outputs.shape
                     && (labelWeights?.shape ?? outputs.shape) == outputs.shape,
                     "loss: outputs \(outputs.shape), labels \(labels.shape), label weights \(labelWeights?.shape ?? []) "
                     + "must agree as [N, \(tasks.count)]")
        var perTask = Tensor.concat(tasks.indices.map { t in
            let column = t..<(t + 1)
            return taskLoss(t, output: outputs.slice(axis: 1, column), labels: labels.slice(axis: 1, column),
                            weights: labelWeights?.slice(axis: 1, column),
                            areProbabilities: predictions.areProbabilities).reshaped([1])
        }, axis: 0)
        var auxiliary = predictions.auxiliaryLoss
        if let share {
            perTask = perTask * Tensor(shape: [tasks.count], values: share.taskFractions)
            auxiliary = auxiliary.map { $0 * share.sampleFraction }
        }
        var total = (perTask * Tensor(shape: [tasks.count], values: taskWeights)).sum()
        if let auxiliary { total = total + auxiliary }
        return Value(total: total, perTask: perTask.values, perTaskLoss: perTask, auxiliary: auxiliary)
    }

    /// The predicted probabilities `[N, T]`: logits of binary tasks through the sigmoid,
    /// regression outputs and outputs that already are probabilities unchanged.
    public func probabilities(_ predictions: TaskPredictions) -> Tensor {
        guard !predictions.areProbabilities else { return predictions.outputs }
        return Tensor.concat(tasks.indices.map { t in
            let column = predictions.outputs.slice(axis: 1, t..<(t + 1))
            return tasks[t].kind == .binary ? column.sigmoid() : column
        }, axis: 1)
    }

    /// Task `t`'s loss from its column (`[N, 1]` each), as a one-element tensor.
    private func taskLoss(_ t: Int, output x: Tensor, labels y: Tensor, weights w: Tensor?,
                          areProbabilities: Bool) -> Tensor {
        switch (tasks[t].kind, areProbabilities) {
        case (.binary, false):
            return Tensor.binaryCrossEntropyWithLogits(x, targets: y, weights: w)
        case (.binary, true):
            let logLikelihood = y * (x + Self.epsilon).log() + (1 - y) * ((1 + Self.epsilon) - x).log()
            return Self.weightedMean(-logLikelihood, weights: w)
        case (.regression, _):
            let error = x - y
            return Self.weightedMean(error * error, weights: w)
        }
    }

    /// `Σ_i w_i ℓ_i / Σ_i w_i` (0 when no weight), or the plain mean without weights.
    private static func weightedMean(_ losses: Tensor, weights: Tensor?) -> Tensor {
        guard let weights else { return losses.mean() }
        let totalWeight = weights.values.reduce(0, +)
        return (losses * weights).sum() * (totalWeight > 0 ? 1 / totalWeight : 0)
    }
}
