extension DataSchema {
    /// The schema with task `task` counting only where `column` equals `value` (e.g. purchase only where
    /// click = 1); throws when the task is absent or the result is invalid.
    public func maskingTask(_ task: String, where column: String, equals value: String) throws -> DataSchema {
        guard let index = labels.firstIndex(where: { $0.name == task }) else {
            throw DataError.invalidSchema(
                source: name, reason: "no task '\(task)' to mask (tasks: \(labels.map(\.name).joined(separator: ", ")))")
        }
        var schema = self
        schema.labels[index].mask = MaskCondition(column: column, equals: value)
        try schema.validate(source: name)
        return schema
    }
}
