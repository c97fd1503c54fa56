import NN
import Synchronization
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

    /// The floats of layer output a scoring slice aims to stay within (2 MB): wide models score
    /// a thread's part in slices, so that the memory scoring holds does not grow with the batch.
    static let scoringSliceFloats = 1 << 19

    /// The rows scored at once on one thread (0 until first needed).
    private let scoringSliceRows = Atomic<Int>(0)

    /// The rows of a scoring slice: the largest power of two whose layer outputs (every
    /// linear and stacked linear layer's output width) fit ``scoringSliceFloats``, at least 256
    /// (fewer rows cost more per row than they save).
    var rowsPerScoringSlice: Int {
        let known = scoringSliceRows.load(ordering: .relaxed)
        if known > 0 { return known }
        let outputFloats = modules().reduce(0) { total, entry in
            switch entry.module {
            case let layer as Linear: total + layer.weight.shape[1]
            case let layer as StackedLinear: total + layer.weight.shape[0] * layer.weight.shape[2]
            default: total
            }
        }
        var rows = 256
        while rows * 2 * outputFloats <= Self.scoringSliceFloats { rows *= 2 }
        scoringSliceRows.store(rows, ordering: .relaxed)
        return rows
    }

    /// The predictions for `batch`.
    open func callAsFunction(_ batch: ModelBatch) -> TaskPredictions {
        preconditionFailure("\(type(of: self)) does not override callAsFunction(_:)")
    }

    /// `batch`'s per-task probabilities (values for regression tasks), `[N × T]` row-major,
    /// computed in inference mode.
    ///
    /// Out of training, every sample is scored independently of the others, so a large batch is
    /// cut into one part per worker thread and each part scored on its thread (see
    /// `Parallelism.mapParts`): the same numbers, without handing every small op over to the
    /// workers. A wide model scores a part in equal slices of at most ``rowsPerScoringSlice``
    /// rows. In training mode (batch statistics) the batch is scored as one.
    public func scores(_ batch: ModelBatch, loss: MultiTaskLoss) -> [Float] {
        let score = { (batch: ModelBatch) in Autograd.inference { loss.probabilities(self(batch)).values } }
        guard !isTraining else { return score(batch) }
        let sliceRows = rowsPerScoringSlice
        return Parallelism.mapParts(batch.size, minimumPart: 128) { part in
            let slices = (part.count + sliceRows - 1) / sliceRows
            return (0..<slices).flatMap { s in
                let slice = part.lowerBound + part.count * s / slices ..< part.lowerBound + part.count * (s + 1) / slices
                return score(slice.count == batch.size ? batch : batch.rows(slice))
            }
        }.flatMap { $0 }
    }

    /// Which parameters the tasks share and which are each task's (see ``ParameterSharing``).
    open var parameterSharing: ParameterSharing {
        preconditionFailure("\(type(of: self)) does not override parameterSharing")
    }

    /// Per-task tower outputs `[N, 1]` joined into `[N, T]`.
    public static func join(_ perTask: [Tensor]) -> Tensor {
        perTask.count == 1 ? perTask[0] : Tensor.concat(perTask, axis: 1)
    }
}
