import Tensor

/// One batch of encoded inputs, laid out as ``FeatureLayout`` describes.
public struct ModelBatch {
    /// The number of samples.
    public var size: Int
    /// Categorical ids, `[size, categoricalCount]` row-major.
    public var categorical: [Int32]
    /// Numeric values, `[size, numericCount]`.
    public var numeric: Tensor
    /// Per sequence: ids `[size, length]` row-major, 0 = padding.
    public var sequences: [[Int32]]
    /// Per sequence: `[size, length]`, 1 at real positions and 0 at padding.
    public var sequenceMasks: [Tensor]

    /// A batch from its parts: each sequence holds `size × paddedLengths[s]` ids; the masks
    /// are derived from the ids (non-zero = real).
    public init(size: Int, categorical: [Int32], numeric: Tensor, sequences: [[Int32]], paddedLengths: [Int]) {
        precondition(sequences.count == paddedLengths.count, "one padded length per sequence")
        self.size = size
        self.categorical = categorical
        self.numeric = numeric
        self.sequences = sequences
        sequenceMasks = zip(sequences, paddedLengths).map { ids, length in
            Tensor(shape: [size, length], values: ids.map { $0 == 0 ? 0 : 1 })
        }
    }

    /// The samples `range` of this batch.
    public func rows(_ range: Range<Int>) -> ModelBatch {
        precondition(range.lowerBound >= 0 && range.upperBound <= size, "rows \(range) of a batch of \(size)")
        let fields = size == 0 ? 0 : categorical.count / size
        var slice = self
        slice.size = range.count
        slice.categorical = Array(categorical[range.lowerBound * fields ..< range.upperBound * fields])
        slice.numeric = Autograd.inference { numeric.rows(range) }
        slice.sequences = sequences.map { ids in
            let length = size == 0 ? 0 : ids.count / size
            return Array(ids[range.lowerBound * length ..< range.upperBound * length])
        }
        slice.sequenceMasks = sequenceMasks.map { mask in Autograd.inference { mask.rows(range) } }
        return slice
    }
}
