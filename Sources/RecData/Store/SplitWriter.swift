import Foundation

/// Appends the samples of one split to its array files during ingestion.
///
/// Categorical ids and sequence items are written as provisional codes and numbers untransformed (NaN for
/// missing); `StoreFinalizer` rewrites them in place once the vocabularies and transforms are fitted.
final class SplitWriter {
    let directory: String
    let categorical: ColumnFileWriter<Int32>
    let numeric: ColumnFileWriter<Float>
    let labels: ColumnFileWriter<Float>
    let labelWeights: ColumnFileWriter<Float>
    let groups: ColumnFileWriter<Int32>?
    let sequenceValues: [ColumnFileWriter<Int32>]
    let sequenceStarts: [ColumnFileWriter<Int64>]
    let sequenceLengths: [ColumnFileWriter<Int32>]
    /// The number of samples appended.
    var rowCount = 0

    /// Creates the split's folder and files.
    init(directory: String, sequenceCount: Int, hasGroups: Bool) throws {
        self.directory = directory
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw DataError.io(path: directory, reason: "cannot create the folder (\(error.localizedDescription))")
        }
        func path(_ name: String) -> String { directory + "/" + name }
        categorical = try ColumnFileWriter(path: path(StoreLayout.categorical(.four)))
        numeric = try ColumnFileWriter(path: path(StoreLayout.numeric))
        labels = try ColumnFileWriter(path: path(StoreLayout.labels))
        labelWeights = try ColumnFileWriter(path: path(StoreLayout.labelWeights))
        groups = hasGroups ? try ColumnFileWriter(path: path(StoreLayout.groups)) : nil
        sequenceValues = try (0..<sequenceCount).map { try ColumnFileWriter(path: path(StoreLayout.sequenceValues($0))) }
        sequenceStarts = try (0..<sequenceCount).map { try ColumnFileWriter(path: path(StoreLayout.sequenceStarts($0))) }
        sequenceLengths = try (0..<sequenceCount).map { try ColumnFileWriter(path: path(StoreLayout.sequenceLengths($0))) }
    }

    /// Writes out all buffered values.
    func finish() throws {
        try categorical.flush()
        try numeric.flush()
        try labels.flush()
        try labelWeights.flush()
        try groups?.flush()
        for writer in sequenceValues { try writer.flush() }
        for writer in sequenceStarts { try writer.flush() }
        for writer in sequenceLengths { try writer.flush() }
    }
}
