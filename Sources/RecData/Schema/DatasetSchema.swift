/// What a model needs to know about an encoded dataset: its fields, vocabulary sizes and tasks.
///
/// The order of `categorical`, `numeric`, `sequences` and `tasks` is the column order of the matching
/// `Batch` buffers. Ids follow the `Vocabulary` convention (0 missing/padding, 1 OOV, 2… known).
public struct DatasetSchema: Codable, Sendable, Equatable {
    /// A categorical field: one id per sample.
    public struct CategoricalField: Codable, Sendable, Equatable {
        /// The field's name.
        public var name: String
        /// The number of embedding rows its ids index.
        public var vocabularySize: Int

        /// A field with `vocabularySize` rows.
        public init(name: String, vocabularySize: Int) {
            self.name = name
            self.vocabularySize = vocabularySize
        }
    }

    /// A numeric field: one transformed value per sample.
    public struct NumericField: Codable, Sendable, Equatable {
        /// The field's name.
        public var name: String

        /// A numeric field.
        public init(name: String) {
            self.name = name
        }
    }

    /// A behaviour sequence: up to `maxLength` ids per sample, newest last.
    public struct SequenceField: Codable, Sendable, Equatable {
        /// The field's name.
        public var name: String
        /// The behaviour type (pv, cart, click, …), when known.
        public var behaviour: String?
        /// The length of the padded batch rows.
        public var maxLength: Int
        /// The number of embedding rows its ids index.
        public var vocabularySize: Int
        /// The categorical field whose vocabulary (and so embedding table) the items share, if any.
        public var sharesVocabularyWith: String?

        /// A sequence field.
        public init(name: String, behaviour: String?, maxLength: Int, vocabularySize: Int, sharesVocabularyWith: String?) {
            self.name = name
            self.behaviour = behaviour
            self.maxLength = maxLength
            self.vocabularySize = vocabularySize
            self.sharesVocabularyWith = sharesVocabularyWith
        }
    }

    /// A prediction task.
    public struct Task: Codable, Sendable, Equatable {
        /// The task's name.
        public var name: String
        /// Binary or regression.
        public var kind: TaskKind

        /// A task.
        public init(name: String, kind: TaskKind) {
            self.name = name
            self.kind = kind
        }
    }

    /// The dataset's name.
    public var name: String
    /// Categorical fields, in batch column order.
    public var categorical: [CategoricalField]
    /// Numeric fields, in batch column order.
    public var numeric: [NumericField]
    /// Sequence fields, in batch order.
    public var sequences: [SequenceField]
    /// Tasks, in label column order.
    public var tasks: [Task]
    /// The name of the column grouping samples for GAUC, when the dataset has one.
    public var groupKey: String?

    /// A schema from its parts.
    public init(
        name: String, categorical: [CategoricalField], numeric: [NumericField], sequences: [SequenceField],
        tasks: [Task], groupKey: String?
    ) {
        self.name = name
        self.categorical = categorical
        self.numeric = numeric
        self.sequences = sequences
        self.tasks = tasks
        self.groupKey = groupKey
    }

    /// The batch column of the categorical field `name`.
    public func categoricalIndex(of name: String) -> Int? {
        categorical.firstIndex { $0.name == name }
    }

    /// The batch column of the task `name`.
    public func taskIndex(of name: String) -> Int? {
        tasks.firstIndex { $0.name == name }
    }
}
