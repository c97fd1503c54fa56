import Models
import NN
import Tensor

/// Each task's gradient on one batch, one forward and backward per task: task t's pass
/// back-propagates only its own term of the training loss (``TaskWeighting/taskTerms(_:taskWeights:)``).
///
/// Every pass sees the model as the step would: `prepare` (the trainer's dropout reseeding)
/// runs before each forward, and batch normalisation's running statistics are put back to
/// what they were before each forward after the first, so every pass draws the same dropout
/// masks and the statistics move once, as in one ordinary forward — or, with
/// `restoringBuffers`, not at all. No gradient is left in the parameters afterwards.
struct TaskGradientPass {
    /// The model.
    let model: MultiTaskModel
    /// The loss.
    let loss: MultiTaskLoss
    /// The combination of task losses whose per-task terms are back-propagated.
    let weighting: TaskWeighting
    /// The parameters whose gradients are taken (the model's and the weighting's).
    let parameters: [Tensor]

    /// What the passes found: each task's gradient and unweighted loss.
    struct Result {
        var gradients: [TaskGradient]
        var losses: [Double]
    }

    /// The passes over `data`.
    func callAsFunction(_ data: TrainingBatch, prepare: () -> Void, restoringBuffers: Bool) -> Result {
        let buffers = model.buffers().map(\.tensor)
        let saved = buffers.map(\.values)
        func restore() {
            for (tensor, values) in zip(buffers, saved) { tensor.pointer.update(from: values, count: values.count) }
        }
        var result = Result(gradients: [], losses: [])
        for t in loss.tasks.indices {
            if t > 0 { restore() }
            prepare()
            let value = loss(model(data.inputs), labels: data.labels, labelWeights: data.weights)
            if t == 0 { result.losses = value.perTask.map(Double.init) }
            let term = weighting.taskTerms(value, taskWeights: loss.taskWeights)[t]
            if term.requiresGrad { term.backward() }
            result.gradients.append(TaskGradient(taking: parameters))
            for p in parameters { p.zeroGrad() }
        }
        if restoringBuffers { restore() }
        return result
    }
}
