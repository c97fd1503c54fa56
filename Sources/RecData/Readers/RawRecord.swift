/// One field of a record: its bytes (unquoted, unescaped and trimmed) and where it began in the raw record.
struct RawField {
    /// The first byte of the value; valid until the reader moves to the next record.
    var start: UnsafePointer<UInt8>
    /// The value's length in bytes.
    var count: Int
    /// The byte offset of the field's first raw byte from the record's start (for error locations).
    var rawOffset: Int

    /// The value as a buffer.
    @inline(__always) var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: start, count: count) }

    /// The value as text, invalid UTF-8 repaired, cut to `limit` bytes for messages.
    func text(limit: Int = 80) -> String {
        let shown = String(decoding: UnsafeBufferPointer(start: start, count: min(count, limit)), as: UTF8.self)
        return count > limit ? shown + "…" : shown
    }
}

/// One record read by `DelimitedRecordReader`; its pointers are valid until the next record is read.
struct RawRecord {
    /// The fields in file order.
    var fields: UnsafeBufferPointer<RawField>
    /// The 1-based line on which the record starts.
    var line: Int
    /// The record's first raw byte.
    var rawStart: UnsafePointer<UInt8>
    /// Whether any byte of the record is outside ASCII (then it needs UTF-8 validation).
    var containsNonASCII: Bool

    /// The file location of field `index` (or of the record's end when `index` is past the last field),
    /// counting the lines that quoted fields span.
    func location(ofField index: Int, file: String) -> SourceLocation {
        let offset = index < fields.count ? fields[index].rawOffset : (fields.last.map { $0.rawOffset + $0.count } ?? 0)
        return location(atRawOffset: offset, file: file)
    }

    /// The file location of the raw byte `offset` bytes after the record's start.
    func location(atRawOffset offset: Int, file: String) -> SourceLocation {
        var line = self.line
        var lineStart = 0
        for index in 0..<offset where rawStart[index] == UInt8(ascii: "\n") {
            line += 1
            lineStart = index + 1
        }
        return SourceLocation(file: file, line: line, column: offset - lineStart + 1)
    }
}
