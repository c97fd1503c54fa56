import Models
import RecData
import Tensor

/// One batch ready for a model step: the model's inputs plus the targets of every task.
public struct TrainingBatch {
    /// The model inputs.
    public var inputs: ModelBatch
    /// Labels, `[N, T]`.
    public var labels: Tensor
    /// Label weights, `[N, T]`; 0 masks a sample out of a task.
    public var weights: Tensor
    /// The GAUC group (user) of each sample.
    public var groups: ArraySlice<Int32>

    /// The first `batch.size` rows of a filled data batch.
    public init(_ batch: Batch) {
        let n = batch.size
        let sequences = batch.sequenceMaxLengths.indices.map { Array(batch.sequences[$0].prefix(n * batch.sequenceMaxLengths[$0])) }
        inputs = ModelBatch(
            size: n,
            categorical: Array(batch.categorical.prefix(n * batch.categoricalWidth)),
            numeric: Tensor(shape: [n, batch.numericWidth], values: Array(batch.numeric.prefix(n * batch.numericWidth))),
            sequences: sequences, paddedLengths: batch.sequenceMaxLengths)
        labels = Tensor(shape: [n, batch.taskCount], values: Array(batch.labels.prefix(n * batch.taskCount)))
        weights = Tensor(shape: [n, batch.taskCount], values: Array(batch.labelWeights.prefix(n * batch.taskCount)))
        groups = batch.groups.prefix(n)
    }
}
