/// A place in an input file: 1-based line and byte column of the first byte of a field.
public struct SourceLocation: Sendable, Equatable, CustomStringConvertible {
    /// The file as the user named it.
    public var file: String
    /// 1-based line number (a quoted field spanning lines counts each line).
    public var line: Int
    /// 1-based byte column within the line.
    public var column: Int

    /// A location in `file` at `line`:`column`.
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:column`, the form editors and terminals recognise.
    public var description: String { "\(file):\(line):\(column)" }
}

/// Every failure of schema reading, ingestion, the dataset store and batching.
///
/// Each case renders as one line that says where the problem is, what was expected and what was found,
/// e.g. `census.csv:12:5: column 'age': expected a number, found 'abc'`.
public enum DataError: Error, Equatable, CustomStringConvertible {
    /// A data row that does not fit the schema; `column` is the schema's column name.
    case malformedRow(SourceLocation, column: String, expected: String, found: String)
    /// A row whose field count differs from the header or schema.
    case wrongFieldCount(SourceLocation, expected: Int, found: Int)
    /// More malformed rows than `--max-bad-rows` allows; `first` is the first one met.
    case tooManyBadRows(limit: Int, first: String)
    /// A schema that cannot be read or contradicts itself.
    case invalidSchema(source: String, reason: String)
    /// A schema column that the input does not have.
    case missingColumn(file: String, column: String, available: [String])
    /// An input without a single data row.
    case emptyInput(file: String, reason: String)
    /// A file that cannot be opened, read, written or mapped.
    case io(path: String, reason: String)
    /// A dataset store that is damaged or was written by an incompatible version.
    case invalidStore(directory: String, reason: String)
    /// A request that cannot be served (unknown dataset name, wrong argument).
    case invalidRequest(String)

    public var description: String {
        switch self {
        case let .malformedRow(location, column, expected, found):
            return "\(location): column '\(column)': expected \(expected), found '\(found)'"
        case let .wrongFieldCount(location, expected, found):
            return "\(location): expected \(expected) fields, found \(found)"
        case let .tooManyBadRows(limit, first):
            return "more than \(limit) malformed rows (raise --max-bad-rows to skip more); first: \(first)"
        case let .invalidSchema(source, reason):
            return "\(source): invalid schema: \(reason)"
        case let .missingColumn(file, column, available):
            let shown = available.prefix(12).joined(separator: ", ")
            let more = available.count > 12 ? ", …" : ""
            return "\(file): column '\(column)' named by the schema is absent (columns: \(shown)\(more))"
        case let .emptyInput(file, reason):
            return "\(file): \(reason)"
        case let .io(path, reason):
            return "\(path): \(reason)"
        case let .invalidStore(directory, reason):
            return "\(directory): invalid dataset store: \(reason)"
        case let .invalidRequest(message):
            return message
        }
    }
}
