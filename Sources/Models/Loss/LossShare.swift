/// One process's part of a global batch that a data-parallel job splits over its processes,
/// as the loss needs it: the process's own loss terms are scaled so that the processes'
/// losses — and so their gradients — add up to the loss of the whole batch.
///
/// A task's loss is a weighted mean over the batch: with `W_p` the label weight of this
/// process's rows and `W` the global batch's, its mean over its own rows times `W_p / W` is
/// its part of the global mean. Terms that are means over samples (a model's auxiliary loss)
/// scale by the share of rows; terms that do not depend on the batch at all (learned
/// log-variances) are split evenly over the processes.
public struct LossShare: Sendable, Equatable {
    /// Per task: this share's label weight over the global batch's (0 where the global batch has none).
    public var taskFractions: [Float]
    /// This share's rows over the global batch's rows.
    public var sampleFraction: Float
    /// One over the number of processes.
    public var replicaFraction: Float

    /// The share of `rows` rows with per-task label weights `taskWeights`, in a global batch
    /// of `globalRows` rows and `globalTaskWeights`, split over `replicas` processes.
    public init(rows: Int, taskWeights: [Float], globalRows: Int, globalTaskWeights: [Float], replicas: Int) {
        precondition(taskWeights.count == globalTaskWeights.count, "task weights of the share and of the batch differ in count")
        taskFractions = zip(taskWeights, globalTaskWeights).map { $1 > 0 ? $0 / $1 : 0 }
        sampleFraction = globalRows > 0 ? Float(rows) / Float(globalRows) : 0
        replicaFraction = 1 / Float(max(1, replicas))
    }
}
