extension DelimitedRecordReader {
    /// The file's column names: its header line when `format.header`, otherwise `declared`.
    /// The names also become the reader's `columnNames` for messages.
    func readColumnNames(format: TextFormat, declared: [String]?) throws -> [String] {
        guard format.header else {
            columnNames = declared ?? []
            return columnNames
        }
        guard let header = try nextRecord() else {
            throw DataError.emptyInput(file: displayName, reason: "the file has no header line")
        }
        columnNames = try header.fields.enumerated().map { index, field in
            if let offset = UTF8Validation.firstInvalidOffset(field.bytes) {
                throw DataError.malformedRow(
                    header.location(ofField: index, file: displayName), column: "#\(index + 1)",
                    expected: "a UTF-8 column name", found: "byte 0x" + String(field.bytes[offset], radix: 16, uppercase: true))
            }
            return String(decoding: field.bytes, as: UTF8.self)
        }
        return columnNames
    }
}
