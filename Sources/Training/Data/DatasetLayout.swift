import Models
import RecData

extension FeatureLayout {
    /// The model-side view of an encoded dataset: its fields, sequences and tasks. The
    /// candidate item is the categorical field whose vocabulary the sequences share.
    public init(_ schema: DatasetSchema) {
        let categoricalIndex = Dictionary(schema.categorical.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        let sequences = schema.sequences.map { s in
            FeatureLayout.Sequence(
                name: s.name, behaviour: s.behaviour ?? s.name, length: s.maxLength,
                vocabularyField: s.sharesVocabularyWith.flatMap { categoricalIndex[$0] }, vocabularySize: s.vocabularySize)
        }
        self.init(
            categorical: schema.categorical.map { .init(name: $0.name, vocabularySize: $0.vocabularySize) },
            numeric: schema.numeric.map(\.name),
            sequences: sequences,
            targetItemField: sequences.lazy.compactMap(\.vocabularyField).first,
            tasks: schema.tasks.map { .init(name: $0.name, kind: $0.kind == .regression ? .regression : .binary) })
    }
}
