/// A reusable set of contiguous buffers holding one mini-batch, filled by `BatchIterator`.
///
/// Every buffer is sized for `capacity` rows and row-major; only the first `size` rows are meaningful
/// (the last batch of an epoch may be short). Sequences are right-aligned: row `r` of sequence field `k`
/// occupies `sequences[k][r*L ..< (r+1)*L]` with the newest item at the last position and padding (id 0)
/// in front, so `sequenceLengths[k][r]` items end at position `L − 1`.
public struct Batch: Sendable {
    /// The most rows the batch holds.
    public let capacity: Int
    /// The number of meaningful rows.
    public internal(set) var size = 0
    /// The rows of the global batch this batch is a part of (`size` when it is the whole batch).
    public internal(set) var globalSize = 0
    /// Per task, the label weights of the whole global batch added up; filled only when the
    /// batch is one part of several (see ``BatchShard``).
    public internal(set) var globalLabelWeights: [Float]
    /// Columns of `categorical` (`Fc`).
    public let categoricalWidth: Int
    /// Columns of `numeric` (`Fn`).
    public let numericWidth: Int
    /// Columns of `labels` and `labelWeights` (`T`).
    public let taskCount: Int
    /// Per sequence field, its padded length `L`.
    public let sequenceMaxLengths: [Int]

    /// Categorical ids, `[capacity, Fc]`.
    public internal(set) var categorical: [Int32]
    /// Numeric values, `[capacity, Fn]`.
    public internal(set) var numeric: [Float]
    /// Per sequence field, ids `[capacity, L]`, right-aligned, 0 = padding.
    public internal(set) var sequences: [[Int32]]
    /// Per sequence field, the number of real items per row, `[capacity]`.
    public internal(set) var sequenceLengths: [[Int32]]
    /// Labels, `[capacity, T]`.
    public internal(set) var labels: [Float]
    /// Label weights, `[capacity, T]`; 0 = masked.
    public internal(set) var labelWeights: [Float]
    /// Group ids for GAUC, `[capacity]` (all 0 when the dataset has no group key).
    public internal(set) var groups: [Int32]
    /// The split row each batch row came from, `[capacity]`.
    public internal(set) var rowIndices: [Int32]

    /// Per task, the label weights of the batch's rows added up.
    public var labelWeightTotals: [Float] {
        var totals = [Float](repeating: 0, count: taskCount)
        for i in 0..<size {
            for k in 0..<taskCount { totals[k] += labelWeights[i * taskCount + k] }
        }
        return totals
    }

    /// An empty batch for data described by `schema`.
    public init(schema: DatasetSchema, capacity: Int) {
        self.capacity = capacity
        categoricalWidth = schema.categorical.count
        numericWidth = schema.numeric.count
        taskCount = schema.tasks.count
        sequenceMaxLengths = schema.sequences.map(\.maxLength)
        categorical = Array(repeating: 0, count: capacity * categoricalWidth)
        numeric = Array(repeating: 0, count: capacity * numericWidth)
        sequences = sequenceMaxLengths.map { Array(repeating: 0, count: capacity * $0) }
        sequenceLengths = sequenceMaxLengths.map { _ in Array(repeating: 0, count: capacity) }
        labels = Array(repeating: 0, count: capacity * taskCount)
        labelWeights = Array(repeating: 0, count: capacity * taskCount)
        groups = Array(repeating: 0, count: capacity)
        globalLabelWeights = Array(repeating: 0, count: taskCount)
        rowIndices = Array(repeating: 0, count: capacity)
    }

    /// The padding mask of sequence field `field` for row `row`: true where position `p` holds an item.
    public func sequenceMask(field: Int, row: Int) -> [Bool] {
        let length = sequenceMaxLengths[field]
        let real = Int(sequenceLengths[field][row])
        return (0..<length).map { $0 >= length - real }
    }
}
