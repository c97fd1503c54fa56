/// One encoded split (train, validation or test): row-major blocks per kind of value.
///
/// `categorical` is `[rowCount, Fc]` ids, `numeric` is `[rowCount, Fn]` transformed values, `labels` and
/// `labelWeights` are `[rowCount, T]` (weight 0 = the label does not count), `groups` is `[rowCount]` dense
/// group ids for GAUC; `F` and `T` come from the `DatasetSchema`. In-memory producers (such as a synthetic
/// generator) build a split from arrays; the dataset store builds one from mapped files.
public struct EncodedSplit: Sendable {
    /// The number of samples.
    public let rowCount: Int
    /// Categorical ids, `[rowCount, schema.categorical.count]`.
    public let categorical: IDColumn
    /// Numeric values, `[rowCount, schema.numeric.count]`.
    public let numeric: Column<Float>
    /// One entry per `schema.sequences` field.
    public let sequences: [EncodedSequence]
    /// Labels, `[rowCount, schema.tasks.count]`.
    public let labels: Column<Float>
    /// Label weights, `[rowCount, schema.tasks.count]`; 0 marks a masked label.
    public let labelWeights: Column<Float>
    /// Group ids (the user, for GAUC), `[rowCount]`, or nil when the dataset has no group key.
    public let groups: Column<Int32>?

    /// A split from its columns; throws `DataError.invalidRequest` when a column's size does not match
    /// `rowCount` and the widths given by `schema`.
    public init(
        schema: DatasetSchema, rowCount: Int, categorical: IDColumn, numeric: Column<Float>,
        sequences: [EncodedSequence], labels: Column<Float>, labelWeights: Column<Float>, groups: Column<Int32>?
    ) throws {
        func check(_ name: String, _ count: Int, _ width: Int) throws {
            if count != rowCount * width {
                throw DataError.invalidRequest(
                    "\(schema.name): \(name) holds \(count) values, expected \(rowCount) rows × \(width)")
            }
        }
        try check("categorical", categorical.count, schema.categorical.count)
        try check("numeric", numeric.count, schema.numeric.count)
        try check("labels", labels.count, schema.tasks.count)
        try check("labelWeights", labelWeights.count, schema.tasks.count)
        if let groups { try check("groups", groups.count, 1) }
        if sequences.count != schema.sequences.count {
            throw DataError.invalidRequest("\(schema.name): \(sequences.count) sequence fields, the schema has \(schema.sequences.count)")
        }
        for (sequence, field) in zip(sequences, schema.sequences) {
            try check("sequence '\(field.name)' starts", sequence.starts.count, 1)
            try check("sequence '\(field.name)' lengths", sequence.lengths.count, 1)
        }
        self.rowCount = rowCount
        self.categorical = categorical
        self.numeric = numeric
        self.sequences = sequences
        self.labels = labels
        self.labelWeights = labelWeights
        self.groups = groups
    }
}
