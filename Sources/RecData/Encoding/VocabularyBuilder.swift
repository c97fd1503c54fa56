/// Collects the values of one vocabulary during ingestion and fits the `Vocabulary` on training counts.
///
/// Every value met in any split gets a provisional code (its first-appearance id plus 2, so that 0 keeps
/// meaning "missing"); only training occurrences are counted. Fitting ranks the values by training count and
/// yields the table that rewrites provisional codes into final ids, with unseen and rare values going to the
/// OOV row. One pass over the input therefore suffices whatever order the splits come in.
final class VocabularyBuilder {
    /// The minimum training count for a value to be kept.
    let minCount: Int
    private let table = ByteStringTable()

    /// A builder keeping values seen at least `minCount` times in training.
    init(minCount: Int) {
        self.minCount = minCount
    }

    /// The provisional code of `bytes`, counting the occurrence when `training` is true.
    @inline(__always)
    func code(_ bytes: UnsafeBufferPointer<UInt8>, training: Bool) -> Int32 {
        table.intern(bytes, training: training) + Vocabulary.firstKnownID
    }

    /// The fitted vocabulary and the table mapping each provisional code to its final id.
    func fit() -> (vocabulary: Vocabulary, remap: [Int32]) {
        let counts = table.trainingCounts()
        let kept = counts.indices
            .filter { counts[$0] >= Int64(minCount) }
            .sorted { counts[$0] != counts[$1] ? counts[$0] > counts[$1] : $0 < $1 }
        var remap = [Int32](repeating: Vocabulary.unknownID, count: table.count + Int(Vocabulary.firstKnownID))
        remap[Int(Vocabulary.missingID)] = Vocabulary.missingID
        for (rank, provisional) in kept.enumerated() {
            remap[provisional + Int(Vocabulary.firstKnownID)] = Int32(rank) + Vocabulary.firstKnownID
        }
        return (Vocabulary(tokens: kept.map { table.string(at: $0) }, minCount: minCount), remap)
    }
}
