/// Where the rows of an input file go.
public enum SplitAssignment: Sendable, Equatable {
    /// Every row goes to one split.
    case whole(SplitName)
    /// Rows are divided among the splits by the shares and seed of a `SplitSpec`.
    case divided(SplitSpec)
}

/// An input file of an ingestion and the split(s) its rows go to.
///
/// The assignment applies to table schemas; an event log divides its samples by time (`EventLogSpec`).
public struct IngestInput: Sendable, Equatable {
    /// The file's path.
    public var path: String
    /// The split(s) its rows go to.
    public var assignment: SplitAssignment

    /// An input `path` whose rows go to `assignment`.
    public init(path: String, assignment: SplitAssignment) {
        self.path = path
        self.assignment = assignment
    }
}

/// Settings of an ingestion.
public struct IngestOptions: Sendable, Equatable {
    /// How many malformed rows may be skipped before ingestion stops; 0 stops at the first.
    public var maxBadRows: Int

    /// Options stopping at the first malformed row unless `maxBadRows` allows more.
    public init(maxBadRows: Int = 0) {
        self.maxBadRows = maxBadRows
    }
}

/// What an ingestion did.
public struct IngestReport: Sendable, Equatable {
    /// Samples per split.
    public var rowCounts: [SplitName: Int]
    /// Malformed rows skipped.
    public var skippedRows: Int
    /// The first malformed rows skipped (at most 10), as messages.
    public var skippedExamples: [String]
    /// Bytes of input read.
    public var inputBytes: Int
    /// Wall-clock seconds, parse to finished store.
    public var seconds: Double
    /// Whether an existing store was reused instead of ingesting.
    public var reused: Bool
}
