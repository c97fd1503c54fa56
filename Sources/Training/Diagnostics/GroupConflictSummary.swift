/// One parameter group's gradient conflict over a whole run, from its `diagnostics.jsonl`
/// records: the final conflict rate and the cosine, each a mean over task pairs (the cosine
/// also over the diagnosed steps).
public struct GroupConflictSummary: Codable, Sendable, Equatable {
    public var name: String
    /// Whether the tasks share the group (false for the task-specific comparison).
    public var shared: Bool
    /// The last record's conflict rate (the fraction of diagnosed steps with a negative
    /// cosine), mean over task pairs.
    public var conflictRate: Double
    /// The cosine, mean over task pairs and diagnosed steps.
    public var meanCosine: Double

    /// A summary from its parts.
    public init(name: String, shared: Bool, conflictRate: Double, meanCosine: Double) {
        self.name = name
        self.shared = shared
        self.conflictRate = conflictRate
        self.meanCosine = meanCosine
    }

    /// Every group of the last record, summarised over `records` (a run's records in step
    /// order); a group without pairs — a model that shares nothing — counts 0.
    public static func summaries(of records: [ConflictRecord]) -> [GroupConflictSummary] {
        guard let last = records.last else { return [] }
        func mean(_ values: [Double]) -> Double { values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count) }
        return last.groups.map { group in
            let cosines = records.flatMap { record in
                record.groups.first { $0.name == group.name }?.pairs.map(\.cosine) ?? []
            }
            return GroupConflictSummary(name: group.name, shared: group.shared,
                                        conflictRate: mean(group.pairs.map(\.conflictRate)), meanCosine: mean(cosines))
        }
    }
}
