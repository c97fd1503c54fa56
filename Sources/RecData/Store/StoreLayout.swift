/// File names inside a dataset store directory.
///
/// ```
/// DIR/manifest.json        StoreManifest (written last: its presence marks a complete store)
/// DIR/schema.json          DatasetSchema
/// DIR/encoder.json         FeatureEncoder (absent for data produced already encoded)
/// DIR/source-schema.yaml   the DataSchema ingested (absent likewise)
/// DIR/<split>/categorical.{u8,u16,i32}, numeric.f32, labels.f32, label-weights.f32, groups.i32
/// DIR/<split>/sequence-<k>.values.i32, sequence-<k>.starts.i64, sequence-<k>.lengths.i32
/// ```
/// Every array file is the raw little-endian values, row-major. A split's categorical ids take
/// the fewest bytes that hold them all (`IDColumn.Width`); ingestion writes them as `i32`
/// codes first and narrows them once the vocabularies are final.
enum StoreLayout {
    static let manifest = "manifest.json"
    static let schema = "schema.json"
    static let encoder = "encoder.json"
    static let sourceSchema = "source-schema.yaml"
    /// The categorical ids' file when they take `width` bytes each.
    static func categorical(_ width: IDColumn.Width) -> String {
        switch width {
        case .one: "categorical.u8"
        case .two: "categorical.u16"
        case .four: "categorical.i32"
        }
    }
    static let numeric = "numeric.f32"
    static let labels = "labels.f32"
    static let labelWeights = "label-weights.f32"
    static let groups = "groups.i32"

    static func sequenceValues(_ index: Int) -> String { "sequence-\(index).values.i32" }
    static func sequenceStarts(_ index: Int) -> String { "sequence-\(index).starts.i64" }
    static func sequenceLengths(_ index: Int) -> String { "sequence-\(index).lengths.i32" }

    /// The array files of a split with `sequenceCount` sequence fields, with or without groups.
    static func splitFiles(categoricalWidth: IDColumn.Width, sequenceCount: Int, hasGroups: Bool) -> [String] {
        var files = [categorical(categoricalWidth), numeric, labels, labelWeights]
        if hasGroups { files.append(groups) }
        for index in 0..<sequenceCount {
            files += [sequenceValues(index), sequenceStarts(index), sequenceLengths(index)]
        }
        return files
    }
}
