#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Streams the records of a delimited text file (CSV, TSV, …) with bounded memory.
///
/// The file is read in large chunks with `read(2)`; lines are found with `memchr` and split on the
/// delimiter without allocating, so a record's fields are byte slices into the chunk. Lines containing a
/// quote take a slower path that handles quoted fields, doubled quotes and line breaks inside quotes.
/// Blank lines are skipped. A record longer than `maxRecordBytes` (typically an unterminated quote) is an
/// error rather than unbounded growth.
final class DelimitedRecordReader {
    /// The file's name as shown in messages.
    let displayName: String
    /// The size of the file in bytes.
    let fileSize: Int
    /// Column names used in messages about the record structure.
    var columnNames: [String] = []

    private let descriptor: Int32
    private let delimiter: UInt8
    private let quote: UInt8?
    private let trimWhitespace: Bool
    private let chunkSize: Int
    private let maxRecordBytes: Int

    private var buffer: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var position = 0
    private var dataEnd = 0
    private var reachedEnd = false
    private var line = 1
    private var fields: UnsafeMutablePointer<RawField>
    private var fieldCapacity = 64
    private var scratch: UnsafeMutablePointer<UInt8>
    private var scratchCapacity = 0

    /// Opens `path` for reading; an unreadable or empty file is an error.
    init(
        path: String, displayName: String? = nil, format: TextFormat,
        chunkSize: Int = 8 << 20, maxRecordBytes: Int = 64 << 20
    ) throws {
        self.displayName = displayName ?? path
        descriptor = open(path, O_RDONLY)
        if descriptor < 0 {
            throw DataError.io(path: self.displayName, reason: "cannot open (\(String(cString: strerror(errno))))")
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            throw DataError.io(path: self.displayName, reason: "not a regular file")
        }
        fileSize = Int(status.st_size)
        if fileSize == 0 {
            close(descriptor)
            throw DataError.emptyInput(file: self.displayName, reason: "the file is empty")
        }
        delimiter = format.delimiter.utf8.first!
        quote = format.quote?.utf8.first
        trimWhitespace = format.trimWhitespace
        self.chunkSize = chunkSize
        self.maxRecordBytes = maxRecordBytes
        capacity = chunkSize
        buffer = .allocate(capacity: capacity)
        fields = .allocate(capacity: fieldCapacity)
        scratch = .allocate(capacity: 1)
    }

    deinit {
        close(descriptor)
        buffer.deallocate()
        fields.deallocate()
        scratch.deallocate()
    }

    /// The next non-blank record, or nil at the end of the file.
    func nextRecord() throws -> RawRecord? {
        while true {
            if position >= dataEnd {
                if reachedEnd { return nil }
                try refill()
                continue
            }
            switch try parseRecord() {
            case let .record(record, next, lines):
                position = next
                line += lines
                return record
            case let .blank(next):
                position = next
                line += 1
            case .needMoreData:
                try refill()
            }
        }
    }

    // MARK: - Buffer management

    /// Moves the unread bytes to the buffer's front (growing it when one record fills it) and reads more.
    private func refill() throws {
        if position == 0 && dataEnd == capacity {
            if capacity >= maxRecordBytes {
                throw DataError.malformedRow(
                    SourceLocation(file: displayName, line: line, column: 1), column: columnName(0),
                    expected: "a record shorter than \(maxRecordBytes >> 20) MiB",
                    found: "a longer one (an unterminated quote?)")
            }
            let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: min(capacity * 2, maxRecordBytes))
            larger.update(from: buffer, count: dataEnd)
            buffer.deallocate()
            buffer = larger
            capacity = min(capacity * 2, maxRecordBytes)
        } else if position > 0 {
            let remaining = dataEnd - position
            if remaining > 0 { memmove(buffer, buffer + position, remaining) }
            dataEnd = remaining
            position = 0
        }
        while dataEnd < capacity {
            let count = read(descriptor, buffer + dataEnd, capacity - dataEnd)
            if count < 0 {
                if errno == EINTR { continue }
                throw DataError.io(path: displayName, reason: "read failed (\(String(cString: strerror(errno))))")
            }
            if count == 0 {
                reachedEnd = true
                return
            }
            dataEnd += count
            if dataEnd - position >= chunkSize / 2 { return }
        }
    }

    // MARK: - Parsing

    private enum ParseResult {
        case record(RawRecord, next: Int, lines: Int)
        case blank(next: Int)
        case needMoreData
    }

    private func parseRecord() throws -> ParseResult {
        let base = UnsafePointer(buffer + position)
        let available = dataEnd - position
        let newline = memchr(base, 0x0A, available)
        if newline == nil && !reachedEnd { return .needMoreData }
        let lineLength = newline.map { UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) - base } ?? available
        if let quote, memchr(base, Int32(quote), lineLength) != nil {
            return try parseQuotedRecord(base: base, available: available, quote: quote)
        }
        let next = newline == nil ? available : lineLength + 1
        var contentLength = lineLength
        if contentLength > 0 && base[contentLength - 1] == 0x0D { contentLength -= 1 }
        if contentLength == 0 { return .blank(next: position + next) }

        var count = 0
        var start = 0
        while true {
            let found = memchr(base + start, Int32(delimiter), contentLength - start)
            let end = found.map { UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) - base } ?? contentLength
            appendField(&count, base: base, from: start, to: end)
            guard found != nil else { break }
            start = end + 1
        }
        let record = RawRecord(
            fields: UnsafeBufferPointer(start: fields, count: count), line: line, rawStart: base,
            containsNonASCII: Self.containsNonASCII(base, contentLength))
        return .record(record, next: position + next, lines: 1)
    }

    @inline(__always)
    private func appendField(_ count: inout Int, base: UnsafePointer<UInt8>, from start: Int, to end: Int) {
        let kept = trimWhitespace ? ValueTrimming.trimmed(base, start..<end) : start..<end
        if count == fieldCapacity { growFields() }
        fields[count] = RawField(start: base + kept.lowerBound, count: kept.count, rawOffset: start)
        count += 1
    }

    private func growFields() {
        let larger = UnsafeMutablePointer<RawField>.allocate(capacity: fieldCapacity * 2)
        larger.update(from: fields, count: fieldCapacity)
        fields.deallocate()
        fields = larger
        fieldCapacity *= 2
    }

    /// The general path: quoted fields, doubled quotes inside them, and line breaks inside quotes.
    /// Unquoted values point into the buffer; quoted values are unescaped into the scratch area.
    private func parseQuotedRecord(base: UnsafePointer<UInt8>, available: Int, quote: UInt8) throws -> ParseResult {
        if scratchCapacity < available {
            scratch.deallocate()
            scratchCapacity = max(available, 1024)
            scratch = .allocate(capacity: scratchCapacity)
        }
        var count = 0
        var used = 0
        var index = 0
        var lines = 0
        var nonASCII = false
        let newline: UInt8 = 0x0A
        while true {
            let fieldStart = index
            var cursor = index
            if trimWhitespace {
                while cursor < available && ValueTrimming.isTrimmed(base[cursor]) { cursor += 1 }
            }
            if cursor < available && base[cursor] == quote {
                let quoteOffset = cursor
                cursor += 1
                let valueStart = used
                while true {
                    if cursor >= available {
                        if !reachedEnd { return .needMoreData }
                        let record = RawRecord(fields: .init(start: fields, count: 0), line: line, rawStart: base, containsNonASCII: false)
                        throw DataError.malformedRow(
                            record.location(atRawOffset: quoteOffset, file: displayName), column: columnName(count),
                            expected: "a closing quote", found: "the end of the file")
                    }
                    let byte = base[cursor]
                    if byte == quote {
                        if cursor + 1 >= available && !reachedEnd { return .needMoreData }
                        if cursor + 1 < available && base[cursor + 1] == quote {
                            scratch[used] = quote
                            used += 1
                            cursor += 2
                            continue
                        }
                        cursor += 1
                        break
                    }
                    if byte == newline { lines += 1 }
                    nonASCII = nonASCII || byte >= 0x80
                    scratch[used] = byte
                    used += 1
                    cursor += 1
                }
                while cursor < available && (base[cursor] == 0x20 || base[cursor] == 0x09 || base[cursor] == 0x0D) {
                    cursor += 1
                }
                if cursor >= available && !reachedEnd { return .needMoreData }
                if count == fieldCapacity { growFields() }
                fields[count] = RawField(start: UnsafePointer(scratch + valueStart), count: used - valueStart, rawOffset: fieldStart)
                count += 1
                if cursor < available && base[cursor] != delimiter && base[cursor] != newline {
                    let record = RawRecord(fields: .init(start: fields, count: count), line: line, rawStart: base, containsNonASCII: false)
                    throw DataError.malformedRow(
                        record.location(atRawOffset: cursor, file: displayName), column: columnName(count - 1),
                        expected: "a delimiter after the closing quote",
                        found: String(decoding: [base[cursor]], as: UTF8.self))
                }
            } else {
                while cursor < available && base[cursor] != delimiter && base[cursor] != newline {
                    nonASCII = nonASCII || base[cursor] >= 0x80
                    cursor += 1
                }
                if cursor >= available && !reachedEnd { return .needMoreData }
                var end = cursor
                if (cursor >= available || base[cursor] == newline) && end > fieldStart && base[end - 1] == 0x0D { end -= 1 }
                appendField(&count, base: base, from: fieldStart, to: end)
            }
            if cursor >= available {
                index = cursor
                break
            }
            if base[cursor] == newline {
                index = cursor + 1
                break
            }
            index = cursor + 1
        }
        let record = RawRecord(
            fields: UnsafeBufferPointer(start: fields, count: count), line: line, rawStart: base,
            containsNonASCII: nonASCII)
        return .record(record, next: position + index, lines: lines + 1)
    }

    private func columnName(_ index: Int) -> String {
        index < columnNames.count ? columnNames[index] : "#\(index + 1)"
    }

    /// Whether any of the `count` bytes at `bytes` has its high bit set, tested eight bytes at a time.
    private static func containsNonASCII(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        let raw = UnsafeRawPointer(bytes)
        var accumulated: UInt64 = 0
        var offset = 0
        while offset + 8 <= count {
            accumulated |= raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            offset += 8
        }
        while offset < count {
            accumulated |= UInt64(bytes[offset])
            offset += 1
        }
        return accumulated & 0x8080_8080_8080_8080 != 0
    }
}
