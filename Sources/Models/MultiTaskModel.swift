import NN
import Tensor

/// What a multi-task model predicts for a batch.
public struct TaskPredictions {
    /// Per task, `[N, T]`: logits for binary tasks (and values for regression tasks), or
    /// probabilities when ``areProbabilities`` (models that multiply probabilities, as ESMM).
    public var outputs: Tensor
    /// Whether ``outputs`` holds probabilities rather than logits.
    public var areProbabilities: Bool
    /// A model-specific term added to the training loss (AITM's calibrator), if any.
    public var auxiliaryLoss: Tensor?

    /// Predictions from per-task outputs.
    public init(outputs: Tensor, areProbabilities: Bool = false, auxiliaryLoss: Tensor? = nil) {
        self.outputs = outputs
        self.areProbabilities = areProbabilities
        self.auxiliaryLoss = auxiliaryLoss
    }
}

/// A model that predicts every task of a ``FeatureLayout`` at once.
///
/// Subclasses are the model zoo; each one is a `Module`, so its parameters are found by
/// reflection, saved, loaded and optimised without registration.
open class MultiTaskModel: Module {
    /// The layout the model reads.
    public let layout: FeatureLayout

    /// A model for `layout`.
    public init(layout: FeatureLayout) {
        self.layout = layout
    }

    /// The predictions for `batch`.
    open func callAsFunction(_ batch: ModelBatch) -> TaskPredictions {
        preconditionFailure("\(type(of: self)) does not override callAsFunction(_:)")
    }

    /// `batch`'s per-task probabilities (values for regression tasks), `[N × T]` row-major,
    /// computed in inference mode.
    ///
    /// Out of training, every sample is scored independently of the others, so a large batch is
    /// cut into one slice per worker thread and each slice scored whole on its thread (see
    /// `Parallelism.mapParts`): the same numbers, without handing every small op over to the
    /// workers. In training mode (batch statistics) the batch is scored as one.
    public func scores(_ batch: ModelBatch, loss: MultiTaskLoss) -> [Float] {
        let score = { (batch: ModelBatch) in Autograd.inference { loss.probabilities(self(batch)).values } }
        guard !isTraining else { return score(batch) }
        return Parallelism.mapParts(batch.size, minimumPart: 128) { range in
            score(range.count == batch.size ? batch : batch.rows(range))
        }.flatMap { $0 }
    }

    /// Per-task tower outputs `[N, 1]` joined into `[N, T]`.
    public static func join(_ perTask: [Tensor]) -> Tensor {
        perTask.count == 1 ? perTask[0] : Tensor.concat(perTask, axis: 1)
    }
}
