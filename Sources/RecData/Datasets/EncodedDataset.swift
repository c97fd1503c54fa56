/// An encoded dataset: its schema, the encoder fitted on its training split, and its three splits.
public struct EncodedDataset: Sendable {
    /// The fields and tasks, as models are built from them.
    public let schema: DatasetSchema
    /// The fitted encoder for raw rows; nil for data produced already encoded (such as synthetic data).
    public let encoder: FeatureEncoder?
    /// The training split.
    public let train: EncodedSplit
    /// The validation split.
    public let validation: EncodedSplit
    /// The test split.
    public let test: EncodedSplit

    /// A dataset from its parts.
    public init(schema: DatasetSchema, encoder: FeatureEncoder?, train: EncodedSplit, validation: EncodedSplit, test: EncodedSplit) {
        self.schema = schema
        self.encoder = encoder
        self.train = train
        self.validation = validation
        self.test = test
    }

    /// The split called `name`.
    public subscript(name: SplitName) -> EncodedSplit {
        switch name {
        case .train: return train
        case .validation: return validation
        case .test: return test
        }
    }
}
