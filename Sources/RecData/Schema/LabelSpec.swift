/// What a task predicts.
public enum TaskKind: String, Codable, Sendable, Equatable {
    /// A 0/1 outcome (click, purchase), trained with binary cross-entropy.
    case binary
    /// A real-valued outcome.
    case regression
}

/// A condition restricting where a label counts, such as "only where click = 1".
public struct MaskCondition: Codable, Sendable, Equatable {
    /// The column tested (any input column, labels included).
    public var column: String
    /// The raw value (after trimming) for which the label counts.
    public var equals: String

    /// The condition `column == equals`.
    public init(column: String, equals: String) {
        self.column = column
        self.equals = equals
    }
}

/// One task of a `DataSchema`, as written in the schema file.
///
/// In a table schema the label comes from `column`: a binary label is 1 when the value is one of `positive`
/// (or, without `positive`, when the number is non-zero); a regression label is the number. In an event-log
/// schema the label is 1 when the user later performs `behaviour` on the sample's item.
public struct LabelSpec: Codable, Sendable, Equatable {
    /// The task name.
    public var name: String
    /// Binary or regression.
    public var kind: TaskKind
    /// Table schema: the column holding the label. It can never also be a feature.
    public var column: String?
    /// Binary labels: the raw values meaning 1.
    public var positive: [String]?
    /// Event-log schema: the behaviour whose later occurrence makes the label 1.
    public var behaviour: String?
    /// Where the label counts; elsewhere its weight is 0.
    public var mask: MaskCondition?

    /// A task; `column` (table) or `behaviour` (event log) says where its value comes from.
    public init(
        name: String, kind: TaskKind = .binary, column: String? = nil, positive: [String]? = nil,
        behaviour: String? = nil, mask: MaskCondition? = nil
    ) {
        self.name = name
        self.kind = kind
        self.column = column
        self.positive = positive
        self.behaviour = behaviour
        self.mask = mask
    }
}
