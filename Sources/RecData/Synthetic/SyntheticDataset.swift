/// The synthetic dataset: its configuration and its three splits, drawn by `SyntheticGenerator`.
public struct SyntheticDataset: Equatable, Sendable {
    /// The configuration the data was drawn from.
    public let config: SyntheticConfig
    /// The training split (`config.trainRows` rows).
    public let train: SyntheticSplit
    /// The validation split (`config.validationRows` rows).
    public let validation: SyntheticSplit
    /// The test split (`config.testRows` rows).
    public let test: SyntheticSplit

    /// The splits with their names, in the order train, validation, test.
    public var namedSplits: [(name: String, split: SyntheticSplit)] {
        [("train", train), ("validation", validation), ("test", test)]
    }
}

/// One split of the synthetic dataset as plain column arrays, every column `rowCount` rows long.
public struct SyntheticSplit: Equatable, Sendable {
    /// Number of rows.
    public let rowCount: Int
    /// Categorical features: `user_id`, `item_id`, `item_category`, then `context_0`, `context_1`, ….
    public let categorical: [SyntheticCategoricalColumn]
    /// Numeric features `dense_0`, `dense_1`, …, standard normal.
    public let numeric: [SyntheticNumericColumn]
    /// One behaviour sequence per behaviour type: `behaviour_0`, `behaviour_1`, ….
    public let sequences: [SyntheticSequenceColumn]
    /// One binary label per task: `task_0`, `task_1`, …; the last of two or more is the sparse one
    /// by default.
    public let labels: [SyntheticLabelColumn]
    /// The group of every row for GAUC: its user id.
    public let groupKeys: [Int32]
}

/// A categorical feature column. Ids run 1…`vocabularySize`; 0 is reserved for padding and
/// out-of-vocabulary values (the generator never emits it in a feature column).
public struct SyntheticCategoricalColumn: Equatable, Sendable {
    /// The field name.
    public let name: String
    /// The largest id; an embedding table needs `vocabularySize + 1` rows.
    public let vocabularySize: Int
    /// One id per row.
    public let values: [Int32]
}

/// A numeric feature column, already on a standard scale.
public struct SyntheticNumericColumn: Equatable, Sendable {
    /// The field name.
    public let name: String
    /// One value per row.
    public let values: [Float]
}

/// A behaviour sequence column: `length` slots per row, row-major (`items[row * length + slot]`).
///
/// Sequences are RIGHT-aligned: the newest item is in the last slot (`length - 1`), older items
/// precede it, and the `length - lengths[row]` leftmost slots are padding (id 0). Item ids share
/// the vocabulary (and embedding table) of the `itemField` column, category ids that of
/// `categoryField`.
public struct SyntheticSequenceColumn: Equatable, Sendable {
    /// The behaviour type's name.
    public let name: String
    /// Slots per row (the maximum sequence length L).
    public let length: Int
    /// The categorical column whose vocabulary the item ids use (`item_id`).
    public let itemField: String
    /// The categorical column whose vocabulary the category ids use (`item_category`).
    public let categoryField: String
    /// Item ids, `rowCount × length`, 0 = padding.
    public let items: [Int32]
    /// The category of every item slot, `rowCount × length`, 0 = padding.
    public let categories: [Int32]
    /// Number of real (non-padding) items per row, in `1…length`.
    public let lengths: [Int32]
}

/// One task's binary label with the generator's two reference scores.
public struct SyntheticLabelColumn: Equatable, Sendable {
    /// The task name.
    public let name: String
    /// 0 or 1 per row, drawn as Bernoulli(sigmoid(oracle logit)).
    public let values: [Float]
    /// The true logit of every label before the Bernoulli draw (includes the hidden noise).
    public let oracleLogits: [Float]
    /// The learnable-ceiling score: the same logit without the hidden per-row noise, i.e. the best
    /// score a model can compute from the observable inputs once it has learnt the true latents.
    public let ceilingScores: [Float]
}
