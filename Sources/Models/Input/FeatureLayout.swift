/// What a model needs to know about its inputs: the fields, the behaviour sequences and
/// the tasks, independent of any file format. Data sources describe themselves with one.
public struct FeatureLayout: Codable, Sendable, Equatable {
    /// A categorical field: an id in `0..<vocabularySize` (row 0 is the unknown/missing id).
    public struct Categorical: Codable, Sendable, Equatable {
        public var name: String
        public var vocabularySize: Int
        public init(name: String, vocabularySize: Int) {
            self.name = name
            self.vocabularySize = vocabularySize
        }
    }

    /// A behaviour sequence: at most `length` ids, newest last, id 0 being padding. The ids
    /// index the vocabulary (and embedding table) of categorical field `vocabularyField`, or
    /// a table of the sequence's own with `vocabularySize` rows when that is nil.
    public struct Sequence: Codable, Sendable, Equatable {
        public var name: String
        public var behaviour: String
        public var length: Int
        public var vocabularyField: Int?
        public var vocabularySize: Int
        public init(name: String, behaviour: String, length: Int, vocabularyField: Int?, vocabularySize: Int = 0) {
            self.name = name
            self.behaviour = behaviour
            self.length = length
            self.vocabularyField = vocabularyField
            self.vocabularySize = vocabularySize
        }
    }

    /// A prediction target.
    public struct Task: Codable, Sendable, Equatable {
        /// Binary tasks are trained with cross-entropy, regression tasks with squared error.
        public enum Kind: String, Codable, Sendable { case binary, regression }
        public var name: String
        public var kind: Kind
        public init(name: String, kind: Kind = .binary) {
            self.name = name
            self.kind = kind
        }
    }

    /// The categorical fields, in column order.
    public var categorical: [Categorical]
    /// The names of the numeric fields, in column order.
    public var numeric: [String]
    /// The behaviour sequences.
    public var sequences: [Sequence]
    /// The categorical field holding the candidate item, which sequences are attended
    /// from; nil when the data has none (then sequences are mean-pooled).
    public var targetItemField: Int?
    /// The tasks, in label column order.
    public var tasks: [Task]

    /// A layout; checks that sequence vocabularies and the target field exist.
    public init(categorical: [Categorical], numeric: [String], sequences: [Sequence] = [],
                targetItemField: Int? = nil, tasks: [Task]) {
        precondition(sequences.allSatisfy { $0.vocabularyField.map(categorical.indices.contains) ?? ($0.vocabularySize > 0) },
                     "a sequence names a vocabulary field that does not exist, or has no vocabulary of its own")
        precondition(targetItemField.map { categorical.indices.contains($0) } ?? true, "target item field out of range")
        precondition(!tasks.isEmpty, "a model needs at least one task")
        self.categorical = categorical
        self.numeric = numeric
        self.sequences = sequences
        self.targetItemField = targetItemField
        self.tasks = tasks
    }

    /// The number of per-sample fields that become embeddings (categorical + numeric).
    public var fieldCount: Int { categorical.count + numeric.count }
}
