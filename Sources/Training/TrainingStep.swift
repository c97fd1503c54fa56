import Distributed
import Models
import NN
import RecData
import Tensor

/// One optimisation step of a multi-task model: the batch through the model, the multi-task
/// loss, backward, optional gradient clipping, and the optimiser's update.
///
/// With PCGrad surgery or GradNorm weighting the step needs each task's gradient apart: it
/// takes one forward and backward per task (``TaskGradientPass``), combines the gradients —
/// projected by ``GradientSurgery``, and GradNorm's weights given their gradient — and
/// updates from their sum. Neither runs data-parallel (the trainer refuses it).
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
    /// PCGrad surgery on the shared parameters, when on.
    let surgery: GradientSurgery?
    /// The per-task passes, when surgery or GradNorm needs them.
    let taskPass: TaskGradientPass?
    /// GradNorm's last shared layer.
    private let lastSharedLayer: [ParameterSharing.Slice]

    /// A step of `model` under `group`; in a job of several processes, the model's batch norms
    /// are switched to the global batch's statistics.
    public init(model: MultiTaskModel, weighting: TaskWeighting, optimizer: Optimizer, loss: MultiTaskLoss,
                clipNorm: Float?, surgery: GradientSurgery? = nil, group: ProcessGroup = .single) {
        self.surgery = surgery
        taskPass = surgery != nil || weighting.gradNorm != nil
            ? TaskGradientPass(model: model, loss: loss, weighting: weighting, parameters: optimizer.parameters.map(\.tensor)) : nil
        lastSharedLayer = weighting.gradNorm == nil ? [] : model.parameterSharing.lastSharedLayer.map { .init($0) }
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
    /// `prepare` (dropout reseeding) runs before each forward when the step takes one per task.
    @discardableResult
    public func callAsFunction(_ batch: Batch, prepare: () -> Void = {}) -> Float {
        let data = TrainingBatch(batch)
        if let taskPass { return stepTaskByTask(data, pass: taskPass, prepare: prepare) }
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

    /// A step from each task's gradient apart, for PCGrad and GradNorm; returns the loss.
    private func stepTaskByTask(_ data: TrainingBatch, pass: TaskGradientPass, prepare: () -> Void) -> Float {
        let weights = zip(loss.taskWeights, weighting.gradNorm?.values ?? loss.taskWeights.map { _ in 1 }).map(*)
        let found = pass(data, prepare: prepare, restoringBuffers: false)
        lastTaskLosses = found.losses.map(Float.init)
        let gradients = surgery.map { $0(found.gradients, step: optimizer.stepCount) } ?? found.gradients
        TaskGradient.sum(gradients).install(into: pass.parameters)
        if let gradNorm = weighting.gradNorm {
            let norms = found.gradients.map { $0.squaredNorm(lastSharedLayer).squareRoot() }
            gradNorm.setGradient(norms: norms, losses: found.losses)
        }
        let scale = clipNorm.map { GradientNorm(of: optimizer.parameters).clippingScale(maxNorm: $0) } ?? 1
        optimizer.step(gradientScale: scale)
        weighting.gradNorm?.renormalise()
        return Float(zip(weights, found.losses).reduce(0) { $0 + Double($1.0) * $1.1 })
    }
}
