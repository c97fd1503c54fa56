/// What an input feature is; decides how it is encoded.
public enum FeatureKind: String, Codable, Sendable, Equatable {
    /// An id or a label from a finite set, encoded through a vocabulary.
    case categorical
    /// A number, encoded through a fitted `NumericTransformKind`.
    case numeric
    /// A list of ids (newest last), encoded through a vocabulary that may be shared with a categorical feature.
    case sequence
}

/// One feature of a `DataSchema`, as written in the schema file.
///
/// Which keys apply depends on `kind`: `minCount` for categorical features, `transform` for numeric ones,
/// `separator`, `maxLength`, `behaviour` and `vocabulary` for sequences. A sequence either comes from one
/// column holding a `separator`-separated list, or (in an event-log schema) is assembled from the events of
/// the `behaviour` type that precede the sample.
public struct FeatureSpec: Codable, Sendable, Equatable {
    /// The feature's name as models see it; unique in the schema.
    public var name: String
    /// How the feature is encoded.
    public var kind: FeatureKind
    /// The input column; defaults to `name`. Event-log sequences have none.
    public var column: String?
    /// Categorical: values seen fewer times in the training split map to the OOV id (default 1).
    public var minCount: Int?
    /// Numeric: the transform fitted on the training split (default `none`).
    public var transform: NumericTransformKind?
    /// Sequence from a column: the list separator, one ASCII character.
    public var separator: String?
    /// Sequence: the number of newest items kept.
    public var maxLength: Int?
    /// Sequence: the behaviour type the items come from (pv, click, buy, …).
    public var behaviour: String?
    /// Sequence: the categorical feature whose vocabulary the items share (e.g. the item id).
    public var vocabulary: String?

    /// A feature; only the keys that apply to `kind` need values.
    public init(
        name: String, kind: FeatureKind, column: String? = nil, minCount: Int? = nil,
        transform: NumericTransformKind? = nil, separator: String? = nil, maxLength: Int? = nil,
        behaviour: String? = nil, vocabulary: String? = nil
    ) {
        self.name = name
        self.kind = kind
        self.column = column
        self.minCount = minCount
        self.transform = transform
        self.separator = separator
        self.maxLength = maxLength
        self.behaviour = behaviour
        self.vocabulary = vocabulary
    }

    /// The input column this feature reads (`column`, or `name` when no column is given).
    public var sourceColumn: String { column ?? name }
}
