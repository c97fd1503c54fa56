/// File names inside a dataset store directory.
///
/// ```
/// DIR/manifest.json        StoreManifest (written last: its presence marks a complete store)
/// DIR/schema.json          DatasetSchema
/// DIR/encoder.json         FeatureEncoder (absent for data produced already encoded)
/// DIR/source-schema.yaml   the DataSchema ingested (absent likewise)
/// DIR/<split>/categorical.i32, numeric.f32, labels.f32, label-weights.f32, groups.i32
/// DIR/<split>/sequence-<k>.values.i32, sequence-<k>.starts.i64, sequence-<k>.lengths.i32
/// ```
/// Every array file is the raw little-endian values, row-major.
enum StoreLayout {
    static let manifest = "manifest.json"
    static let schema = "schema.json"
    static let encoder = "encoder.json"
    static let sourceSchema = "source-schema.yaml"
    static let categorical = "categorical.i32"
    static let numeric = "numeric.f32"
    static let labels = "labels.f32"
    static let labelWeights = "label-weights.f32"
    static let groups = "groups.i32"

    static func sequenceValues(_ index: Int) -> String { "sequence-\(index).values.i32" }
    static func sequenceStarts(_ index: Int) -> String { "sequence-\(index).starts.i64" }
    static func sequenceLengths(_ index: Int) -> String { "sequence-\(index).lengths.i32" }

    /// The array files of a split with `sequenceCount` sequence fields, with or without groups.
    static func splitFiles(sequenceCount: Int, hasGroups: Bool) -> [String] {
        var files = [categorical, numeric, labels, labelWeights]
        if hasGroups { files.append(groups) }
        for index in 0..<sequenceCount {
            files += [sequenceValues(index), sequenceStarts(index), sequenceLengths(index)]
        }
        return files
    }
}
