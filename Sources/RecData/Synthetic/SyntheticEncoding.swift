/// The synthetic data as an ``EncodedDataset``, the form every model trains on.
extension SyntheticDataset {
    /// The schema: categorical fields with `vocabularySize + 1` rows (id 0 is padding), the
    /// numeric fields, one item sequence per behaviour sharing `item_id`'s vocabulary, one
    /// binary task per label, grouped by user.
    public var schema: DatasetSchema {
        let itemVocabulary = train.categorical.first { $0.name == train.sequences.first?.itemField }?.vocabularySize ?? 0
        return DatasetSchema(
            name: "synthetic",
            categorical: train.categorical.map { .init(name: $0.name, vocabularySize: $0.vocabularySize + 1) },
            numeric: train.numeric.map { .init(name: $0.name) },
            sequences: train.sequences.map {
                .init(name: $0.name, behaviour: $0.name, maxLength: $0.length, vocabularySize: itemVocabulary + 1,
                      sharesVocabularyWith: $0.itemField)
            },
            tasks: train.labels.map { .init(name: $0.name, kind: .binary) },
            groupKey: "user_id")
    }

    /// The three splits as an encoded dataset (no raw-row encoder: the data is born encoded).
    public func encoded() throws -> EncodedDataset {
        let schema = self.schema
        func encode(_ split: SyntheticSplit) throws -> EncodedSplit {
            let n = split.rowCount
            var categorical = [Int32](repeating: 0, count: n * split.categorical.count)
            for (j, column) in split.categorical.enumerated() {
                for r in 0..<n { categorical[r * split.categorical.count + j] = column.values[r] }
            }
            var numeric = [Float](repeating: 0, count: n * split.numeric.count)
            for (j, column) in split.numeric.enumerated() {
                for r in 0..<n { numeric[r * split.numeric.count + j] = column.values[r] }
            }
            var labels = [Float](repeating: 0, count: n * split.labels.count)
            for (t, column) in split.labels.enumerated() {
                for r in 0..<n { labels[r * split.labels.count + t] = column.values[r] }
            }
            let sequences = split.sequences.map { column in
                // Right-aligned rows: each row's real items are its last `lengths[r]` slots.
                EncodedSequence(rows: (0..<n).map { r in
                    Array(column.items[(r * column.length + column.length - Int(column.lengths[r]))..<((r + 1) * column.length)])
                })
            }
            return try EncodedSplit(
                schema: schema, rowCount: n, categorical: IDColumn(categorical), numeric: Column(numeric),
                sequences: sequences, labels: Column(labels),
                labelWeights: Column([Float](repeating: 1, count: labels.count)), groups: Column(split.groupKeys))
        }
        return EncodedDataset(schema: schema, encoder: nil, train: try encode(train),
                              validation: try encode(validation), test: try encode(test))
    }
}
