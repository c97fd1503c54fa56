/// A validated `DataSchema` resolved into what the encoder does per field: which vocabulary each id field
/// uses, which transform each number gets, how each label is read.
struct EncodingPlan {
    struct Categorical {
        var name: String
        var column: String
        var vocabulary: Int
    }

    struct Numeric {
        var name: String
        var column: String
        var transform: NumericTransformKind
    }

    struct Sequence {
        var name: String
        /// The list column (table schemas); nil for sequences assembled from an event log.
        var column: String?
        var separator: UInt8?
        var maxLength: Int
        var vocabulary: Int
        var behaviour: String?
        var sharesVocabularyWith: String?
    }

    struct Label {
        var name: String
        var kind: TaskKind
        var column: String?
        var positive: ByteStringList?
        var behaviour: String?
        var mask: (column: String, value: [UInt8])?
    }

    /// A vocabulary: the feature owning it and its minimum training count.
    struct VocabularySpec {
        var owner: String
        var minCount: Int
    }

    let schema: DataSchema
    let categorical: [Categorical]
    let numeric: [Numeric]
    let sequences: [Sequence]
    let labels: [Label]
    let vocabularies: [VocabularySpec]
    let missingValues: ByteStringList

    /// Resolves `schema`, which must have passed `validate`.
    init(_ schema: DataSchema) {
        self.schema = schema
        var vocabularies: [VocabularySpec] = []
        var vocabularyOfFeature: [String: Int] = [:]
        var categorical: [Categorical] = []
        for feature in schema.features where feature.kind == .categorical {
            vocabularyOfFeature[feature.name] = vocabularies.count
            categorical.append(Categorical(name: feature.name, column: feature.sourceColumn, vocabulary: vocabularies.count))
            vocabularies.append(VocabularySpec(owner: feature.name, minCount: feature.minCount ?? 1))
        }
        let itemFeature = schema.eventLog.flatMap { log in
            schema.features.first { $0.kind == .categorical && $0.sourceColumn == log.item }?.name
        }
        var sequences: [Sequence] = []
        for feature in schema.features where feature.kind == .sequence {
            let shared = feature.vocabulary ?? itemFeature
            let vocabulary: Int
            if let shared, let index = vocabularyOfFeature[shared] {
                vocabulary = index
            } else {
                vocabulary = vocabularies.count
                vocabularies.append(VocabularySpec(owner: feature.name, minCount: 1))
            }
            sequences.append(Sequence(
                name: feature.name, column: schema.eventLog == nil ? feature.sourceColumn : nil,
                separator: feature.separator?.utf8.first, maxLength: feature.maxLength ?? 1, vocabulary: vocabulary,
                behaviour: feature.behaviour, sharesVocabularyWith: shared))
        }
        self.categorical = categorical
        self.sequences = sequences
        self.vocabularies = vocabularies
        numeric = schema.features.filter { $0.kind == .numeric }.map {
            Numeric(name: $0.name, column: $0.sourceColumn, transform: $0.transform ?? .none)
        }
        labels = schema.labels.map { label in
            Label(
                name: label.name, kind: label.kind, column: label.column, positive: label.positive.map(ByteStringList.init),
                behaviour: label.behaviour, mask: label.mask.map { ($0.column, Array($0.equals.utf8)) })
        }
        missingValues = ByteStringList(schema.format.missing)
    }

    /// Every input column the plan reads, without repeats, in schema order.
    var requiredColumns: [String] {
        var columns: [String] = []
        func add(_ column: String?) {
            if let column, !columns.contains(column) { columns.append(column) }
        }
        categorical.forEach { add($0.column) }
        numeric.forEach { add($0.column) }
        sequences.forEach { add($0.column) }
        labels.forEach { add($0.column); add($0.mask?.column) }
        add(schema.groupKey)
        if let log = schema.eventLog {
            [log.user, log.item, log.behaviour, log.timestamp].forEach(add)
        }
        return columns
    }

    /// Whether `bytes` is one of the schema's missing-value markers.
    @inline(__always)
    func isMissing(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        missingValues.contains(bytes)
    }

    /// The model-facing description, given the fitted vocabularies.
    func datasetSchema(vocabularies fitted: [Vocabulary]) -> DatasetSchema {
        DatasetSchema(
            name: schema.name,
            categorical: categorical.map { .init(name: $0.name, vocabularySize: fitted[$0.vocabulary].size) },
            numeric: numeric.map { .init(name: $0.name) },
            sequences: sequences.map {
                .init(name: $0.name, behaviour: $0.behaviour, maxLength: $0.maxLength,
                      vocabularySize: fitted[$0.vocabulary].size, sharesVocabularyWith: $0.sharesVocabularyWith)
            },
            tasks: labels.map { .init(name: $0.name, kind: $0.kind) },
            groupKey: schema.groupKey)
    }

    /// The encoder for single raw rows, given the fitted vocabularies and transforms.
    func featureEncoder(vocabularies fitted: [Vocabulary], transforms: [NumericTransform]) -> FeatureEncoder {
        FeatureEncoder(
            schema: datasetSchema(vocabularies: fitted),
            missingValues: schema.format.missing,
            trimWhitespace: schema.format.trimWhitespace,
            categorical: categorical.map { .init(name: $0.name, vocabulary: $0.vocabulary) },
            numeric: zip(numeric, transforms).map { .init(name: $0.name, transform: $1) },
            sequences: sequences.map {
                .init(name: $0.name, separator: $0.separator.map { String(UnicodeScalar($0)) },
                      maxLength: $0.maxLength, vocabulary: $0.vocabulary)
            },
            vocabularies: fitted)
    }
}

/// Whether two byte buffers hold the same bytes.
@inline(__always)
func memoryEquals(_ lhs: UnsafeBufferPointer<UInt8>, _ rhs: UnsafeBufferPointer<UInt8>) -> Bool {
    if lhs.count != rhs.count { return false }
    for index in 0..<lhs.count where lhs[index] != rhs[index] { return false }
    return true
}
