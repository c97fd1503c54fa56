/// Encodes single raw rows exactly as ingestion encoded the training data.
///
/// It carries the fitted vocabularies and numeric transforms, is `Codable` so that it can be saved with a
/// model, and lets a server turn a JSON row (`[feature name: RawValue]`) into model inputs.
public struct FeatureEncoder: Codable, Sendable, Equatable {
    /// A categorical feature and the index of its vocabulary in `vocabularies`.
    public struct CategoricalEncoding: Codable, Sendable, Equatable {
        /// The feature name (the key in raw rows).
        public var name: String
        /// The index of its vocabulary.
        public var vocabulary: Int
    }

    /// A numeric feature and its fitted transform.
    public struct NumericEncoding: Codable, Sendable, Equatable {
        /// The feature name (the key in raw rows).
        public var name: String
        /// The fitted transform.
        public var transform: NumericTransform

        /// The encoding of feature `name` by `transform`.
        public init(name: String, transform: NumericTransform) {
            self.name = name
            self.transform = transform
        }
    }

    /// A sequence feature: how a raw list is split, truncated and encoded.
    public struct SequenceEncoding: Codable, Sendable, Equatable {
        /// The feature name (the key in raw rows).
        public var name: String
        /// The separator of a list given as one string.
        public var separator: String?
        /// The number of newest items kept.
        public var maxLength: Int
        /// The index of its (possibly shared) vocabulary.
        public var vocabulary: Int
    }

    /// The model-facing description of the encoded fields.
    public let schema: DatasetSchema
    /// Raw values that mean "missing" (compared after trimming, when the data's format trims).
    public let missingValues: [String]
    /// Whether values lose their surrounding spaces and tabs (``ValueTrimming``) before they are
    /// looked up or parsed, as the data's format had them during ingestion.
    public let trimWhitespace: Bool
    /// Categorical features in batch column order.
    public let categorical: [CategoricalEncoding]
    /// Numeric features in batch column order.
    public let numeric: [NumericEncoding]
    /// Sequence features in batch order.
    public let sequences: [SequenceEncoding]
    /// The fitted vocabularies.
    public let vocabularies: [Vocabulary]

    /// An encoder from its parts.
    public init(
        schema: DatasetSchema, missingValues: [String], trimWhitespace: Bool, categorical: [CategoricalEncoding],
        numeric: [NumericEncoding], sequences: [SequenceEncoding], vocabularies: [Vocabulary]
    ) {
        self.schema = schema
        self.missingValues = missingValues
        self.trimWhitespace = trimWhitespace
        self.categorical = categorical
        self.numeric = numeric
        self.sequences = sequences
        self.vocabularies = vocabularies
    }

    /// The vocabulary of the categorical feature `name`.
    public func vocabulary(of name: String) -> Vocabulary? {
        categorical.first { $0.name == name }.map { vocabularies[$0.vocabulary] }
    }

    /// Encodes one raw row keyed by feature name; absent keys count as missing values.
    ///
    /// Throws `DataError.invalidRequest` when a numeric feature's value is not a finite number that
    /// fits a Float32 (`NaN`, `inf`, `1e999` and `-` are refused; the missing-value markers and
    /// absent keys take the training mean) or a list is given for a non-sequence field.
    public func encode(_ row: [String: RawValue]) throws -> EncodedRow {
        let categoricalIDs = try categorical.map { field -> Int32 in
            guard let token = try scalarText(row[field.name], field: field.name) else { return Vocabulary.missingID }
            return vocabularies[field.vocabulary].id(of: token)
        }
        let numericValues = try numeric.map { field -> Float in
            switch row[field.name] ?? .missing {
            case let .number(number):
                guard NumberParsing.isStorable(number) else {
                    throw DataError.invalidRequest("feature '\(field.name)': expected \(NumberParsing.storableExpectation), found \(number)")
                }
                return field.transform.apply(number)
            case let .string(raw):
                let text = cleaned(raw)
                if missingValues.contains(text) { return field.transform.apply(nil) }
                let parsed = Array(text.utf8).withUnsafeBufferPointer(NumberParsing.storable)
                guard let parsed else {
                    throw DataError.invalidRequest("feature '\(field.name)': expected \(NumberParsing.storableExpectation), found '\(text.prefix(40))'")
                }
                return field.transform.apply(parsed)
            case .missing:
                return field.transform.apply(nil)
            case .list:
                throw DataError.invalidRequest("feature '\(field.name)': expected a number, found a list")
            }
        }
        let sequenceIDs = sequences.map { field -> [Int32] in
            let items: [String]
            switch row[field.name] ?? .missing {
            case let .list(list): items = list
            case let .string(text): items = field.separator.map { text.split(separator: Character($0), omittingEmptySubsequences: false).map(String.init) } ?? [text]
            case let .number(number): items = [RawValue.text(of: number)]
            case .missing: items = []
            }
            let vocabulary = vocabularies[field.vocabulary]
            return items.map(cleaned).filter { !missingValues.contains($0) }.suffix(field.maxLength).map(vocabulary.id(of:))
        }
        return EncodedRow(categorical: categoricalIDs, numeric: numericValues, sequences: sequenceIDs)
    }

    private func scalarText(_ value: RawValue?, field: String) throws -> String? {
        switch value ?? .missing {
        case let .string(raw):
            let text = cleaned(raw)
            return missingValues.contains(text) ? nil : text
        case let .number(number): return RawValue.text(of: number)
        case .missing: return nil
        case .list: throw DataError.invalidRequest("feature '\(field)': expected one value, found a list")
        }
    }

    /// A raw text as ingestion saw it: trimmed under a trimming format (``ValueTrimming``).
    private func cleaned(_ text: String) -> String {
        trimWhitespace ? ValueTrimming.trimmed(text) : text
    }
}

/// One encoded sample's inputs, in `DatasetSchema` order.
public struct EncodedRow: Sendable, Equatable {
    /// One id per categorical field.
    public var categorical: [Int32]
    /// One transformed value per numeric field.
    public var numeric: [Float]
    /// Per sequence field, the kept ids, oldest first (unpadded, at most `maxLength`).
    public var sequences: [[Int32]]

    /// A row from its parts.
    public init(categorical: [Int32], numeric: [Float], sequences: [[Int32]]) {
        self.categorical = categorical
        self.numeric = numeric
        self.sequences = sequences
    }
}
