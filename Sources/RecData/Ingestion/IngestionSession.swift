/// The state shared by one ingestion run: the split writers, the vocabularies and numeric statistics being
/// fitted, group ids and the bad-row policy.
final class IngestionSession {
    let plan: EncodingPlan
    let options: IngestOptions
    let vocabularies: [VocabularyBuilder]
    var numericStatistics: [NumericStatistics]
    /// Dense group ids in order of first appearance, over all splits.
    let groups = ByteStringTable()
    /// Writers indexed like `SplitName.allCases`.
    let writers: [SplitWriter]
    private(set) var skippedRows = 0
    private(set) var skippedExamples: [String] = []

    /// A session writing into `directory`'s split folders.
    init(plan: EncodingPlan, options: IngestOptions, directory: String) throws {
        self.plan = plan
        self.options = options
        vocabularies = plan.vocabularies.map { VocabularyBuilder(minCount: $0.minCount) }
        numericStatistics = Array(repeating: NumericStatistics(), count: plan.numeric.count)
        writers = try SplitName.allCases.map {
            try SplitWriter(
                directory: directory + "/" + $0.rawValue, sequenceCount: plan.sequences.count,
                hasGroups: plan.schema.groupKey != nil)
        }
    }

    /// The writer of `split`.
    @inline(__always)
    func writer(_ split: SplitName) -> SplitWriter {
        switch split {
        case .train: return writers[0]
        case .validation: return writers[1]
        case .test: return writers[2]
        }
    }

    /// Applies the bad-row policy to `error`: rethrows it when no bad rows may be skipped, counts it
    /// otherwise, and stops once more than `maxBadRows` were met.
    func skipBadRow(_ error: DataError) throws {
        if options.maxBadRows == 0 { throw error }
        skippedRows += 1
        if skippedExamples.count < 10 { skippedExamples.append(error.description) }
        if skippedRows > options.maxBadRows {
            throw DataError.tooManyBadRows(limit: options.maxBadRows, first: skippedExamples[0])
        }
    }

    /// Flushes the writers, fits vocabularies and transforms on the training data, and rewrites the split
    /// files into final ids and transformed values.
    func finish() throws -> (vocabularies: [Vocabulary], transforms: [NumericTransform]) {
        for writer in writers { try writer.finish() }
        let fitted = vocabularies.map { $0.fit() }
        let transforms = zip(plan.numeric, numericStatistics).map { $1.fit($0.transform) }
        let finalizer = StoreFinalizer(plan: plan, remaps: fitted.map(\.remap), transforms: transforms)
        for writer in writers where writer.rowCount > 0 {
            try finalizer.rewrite(splitDirectory: writer.directory)
        }
        return (fitted.map(\.vocabulary), transforms)
    }
}
