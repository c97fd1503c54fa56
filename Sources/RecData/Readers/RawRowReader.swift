/// Streams the rows of a delimited text file with a header as raw values keyed by column
/// name, with bounded memory — the input of batch prediction.
public final class RawRowReader {
    /// The header's column names.
    public let columnNames: [String]
    private let reader: DelimitedRecordReader
    private let missing: Set<String>

    /// Opens `path`, reading its header; `format` gives the delimiter, quoting and the
    /// texts that mean "missing".
    public init(path: String, format: TextFormat) throws {
        var withHeader = format
        withHeader.header = true
        reader = try DelimitedRecordReader(path: path, format: withHeader)
        columnNames = try reader.readColumnNames(format: withHeader, declared: nil)
        missing = Set(format.missing)
    }

    /// The next row and its line number, or nil at the end of the file. A row whose number of
    /// fields differs from the header's is an error naming the file and line.
    public func next() throws -> (line: Int, values: [String: RawValue])? {
        guard let record = try reader.nextRecord() else { return nil }
        guard record.fields.count == columnNames.count else {
            throw DataError.malformedRow(
                record.location(ofField: min(record.fields.count, columnNames.count) - 1, file: reader.displayName),
                column: "(row)", expected: "\(columnNames.count) fields", found: "\(record.fields.count)")
        }
        var values: [String: RawValue] = [:]
        for (name, field) in zip(columnNames, record.fields) {
            let text = String(decoding: field.bytes, as: UTF8.self)
            values[name] = missing.contains(text) ? .missing : .string(text)
        }
        return (record.line, values)
    }
}
