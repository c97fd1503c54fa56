/// Where each column an `EncodingPlan` reads sits in one particular input file.
struct ColumnBinding {
    let categorical: [Int]
    let numeric: [Int]
    let sequences: [Int?]
    let labels: [Int?]
    let masks: [Int?]
    let group: Int?
    /// Every bound field index, for the per-row size and UTF-8 checks.
    let used: [Int]

    /// Binds `plan` to a file whose columns are `names`; a column the plan needs but the file lacks is an error.
    init(plan: EncodingPlan, names: [String], file: String) throws {
        var indexOf: [String: Int] = [:]
        for (index, name) in names.enumerated() where indexOf[name] == nil { indexOf[name] = index }
        for column in plan.requiredColumns where indexOf[column] == nil {
            throw DataError.missingColumn(file: file, column: column, available: names)
        }
        func index(_ column: String?) -> Int? { column.flatMap { indexOf[$0] } }
        categorical = plan.categorical.map { indexOf[$0.column]! }
        numeric = plan.numeric.map { indexOf[$0.column]! }
        sequences = plan.sequences.map { index($0.column) }
        labels = plan.labels.map { index($0.column) }
        masks = plan.labels.map { index($0.mask?.column) }
        group = index(plan.schema.groupKey)
        used = plan.requiredColumns.map { indexOf[$0]! }
    }
}
