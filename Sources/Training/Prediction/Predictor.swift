import Models
import RecData
import Tensor

/// Scores encoded rows with a model in inference mode: per row, one probability per task
/// (or value, for regression tasks).
public struct Predictor {
    /// The model.
    public let model: MultiTaskModel
    /// The model's fields.
    public let schema: DatasetSchema
    private let loss: MultiTaskLoss

    /// A predictor for `model` over `schema`'s fields.
    public init(model: MultiTaskModel, schema: DatasetSchema) {
        self.model = model
        self.schema = schema
        loss = MultiTaskLoss(tasks: model.layout.tasks)
        model.eval()
    }

    /// The predictions of `rows`, `[rows.count × T]` row-major.
    public func predict(_ rows: [EncodedRow]) -> [Float] {
        guard !rows.isEmpty else { return [] }
        let n = rows.count
        let lengths = schema.sequences.map(\.maxLength)
        var sequences = lengths.map { [Int32](repeating: Vocabulary.missingID, count: n * $0) }
        for (r, row) in rows.enumerated() {
            for (s, items) in row.sequences.enumerated() {
                // Right-aligned: the newest item in the last slot, padding in front.
                let kept = items.suffix(lengths[s])
                let start = (r + 1) * lengths[s] - kept.count
                for (i, item) in kept.enumerated() { sequences[s][start + i] = item }
            }
        }
        let batch = ModelBatch(
            size: n, categorical: rows.flatMap(\.categorical),
            numeric: Tensor(shape: [n, schema.numeric.count], values: rows.flatMap(\.numeric)),
            sequences: sequences, paddedLengths: lengths)
        return model.scores(batch, loss: loss)
    }
}
