/// Checks shared by every row-oriented reader: field count, field size and UTF-8.
struct RowChecks {
    let file: String
    let columnNames: [String]
    let maxFieldBytes: Int

    /// Throws the first problem of `record` among the fields at `used`.
    @inline(__always)
    func check(_ record: RawRecord, used: [Int]) throws {
        let fields = record.fields
        if fields.count != columnNames.count {
            throw DataError.wrongFieldCount(
                record.location(ofField: min(fields.count, columnNames.count), file: file),
                expected: columnNames.count, found: fields.count)
        }
        for index in used where fields[index].count > maxFieldBytes {
            throw DataError.malformedRow(
                record.location(ofField: index, file: file), column: columnNames[index],
                expected: "a field of at most \(maxFieldBytes) bytes", found: "\(fields[index].count) bytes")
        }
        guard record.containsNonASCII else { return }
        for index in used {
            if let offset = UTF8Validation.firstInvalidOffset(fields[index].bytes) {
                let byte = fields[index].bytes[offset]
                throw DataError.malformedRow(
                    record.location(ofField: index, file: file), column: columnNames[index],
                    expected: "UTF-8 text", found: "byte 0x" + String(byte, radix: 16, uppercase: true) + " at byte \(offset + 1)")
            }
        }
    }

    /// The error for field `index` of `record` not holding `expected`.
    func malformed(_ record: RawRecord, field index: Int, expected: String) -> DataError {
        .malformedRow(
            record.location(ofField: index, file: file), column: columnNames[index], expected: expected,
            found: record.fields[index].text())
    }
}
