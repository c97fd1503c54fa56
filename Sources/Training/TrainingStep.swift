import Distributed
import Models
import NN
import RecData
import Tensor

/// One optimisation step of a multi-task model: the batch through the model, the multi-task
/// loss, backward, optional gradient clipping, and the optimiser's update.
///
/// In a data-parallel job each process steps on its own part of the global batch (see
/// ``BatchShard``) and the step is the one a single process takes on the whole batch: the
/// loss terms are scaled by the process's share (``LossShare``), batch normalisation uses the
/// global batch's statistics, and the gradients are summed over the processes — dense ones in
/// buckets started while the backward pass runs, embedding rows sparsely — before every
/// process applies the same update (see ``GradientSynchronizer``).
public final class TrainingStep {
    /// The model trained.
    public let model: MultiTaskModel
    /// The combination of task losses.
    public let weighting: TaskWeighting
    /// The optimiser of the model and the weighting.
    public let optimizer: Optimizer
    /// The multi-task loss.
    public let loss: MultiTaskLoss
    /// The global gradient norm to clip to, if any.
    public let clipNorm: Float?
    /// The processes sharing each step.
    public let group: ProcessGroup
    /// The gradient exchange of a data-parallel job.
    public let synchronizer: GradientSynchronizer?
    /// Each task's loss in the last step (this process's part of the batch), before task weighting.
    public private(set) var lastTaskLosses: [Float] = []

    /// A step of `model` under `group`; in a job of several processes, the model's batch norms
    /// are switched to the global batch's statistics.
    public init(model: MultiTaskModel, weighting: TaskWeighting, optimizer: Optimizer, loss: MultiTaskLoss,
                clipNorm: Float?, group: ProcessGroup = .single) {
        self.model = model
        self.weighting = weighting
        self.optimizer = optimizer
        self.loss = loss
        self.clipNorm = clipNorm
        self.group = group
        if let communicator = group.communicator {
            synchronizer = GradientSynchronizer(parameters: optimizer.parameters.map(\.tensor), communicator: communicator)
            let statistics = ReplicaSum(communicator.duplicate())
            for case let norm as BatchNorm in model.modules().map(\.module) { norm.replicas = statistics }
        } else {
            synchronizer = nil
        }
    }

    /// Steps on `batch` (this process's part of a global batch); returns the global batch's loss.
    @discardableResult
    public func callAsFunction(_ batch: Batch) -> Float {
        let data = TrainingBatch(batch)
        let share = group.isDistributed ? LossShare(
            rows: batch.size, taskWeights: batch.labelWeightTotals, globalRows: batch.globalSize,
            globalTaskWeights: batch.globalLabelWeights, replicas: group.size) : nil
        let predictions = model(data.inputs)
        let losses = loss(predictions, labels: data.labels, labelWeights: data.weights, share: share)
        lastTaskLosses = losses.perTask
        let total = weighting.total(losses, taskWeights: loss.taskWeights, share: share)
        var value = total.scalar
        if let synchronizer, let communicator = group.communicator {
            total.backward(onLeafGradientReady: synchronizer.gradientReady)
            synchronizer.finish()
            withUnsafeMutablePointer(to: &value) { communicator.sum(UnsafeMutableBufferPointer(start: $0, count: 1)) }
        } else {
            total.backward()
        }
        let scale = clipNorm.map { GradientNorm(of: optimizer.parameters).clippingScale(maxNorm: $0) } ?? 1
        optimizer.step(gradientScale: scale)
        return value
    }
}
