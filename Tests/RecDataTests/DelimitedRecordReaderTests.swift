import XCTest
@testable import RecData

final class DelimitedRecordReaderTests: XCTestCase {
    private func records(_ text: String, format: TextFormat = TextFormat(), chunkSize: Int = 8 << 20) throws -> [[String]] {
        let files = try TestFiles()
        let path = try files.write("input.csv", text)
        let reader = try DelimitedRecordReader(path: path, format: format, chunkSize: chunkSize)
        var rows: [[String]] = []
        while let record = try reader.nextRecord() {
            rows.append(record.fields.map { String(decoding: $0.bytes, as: UTF8.self) })
        }
        return rows
    }

    func testPlainQuotedAndEmptyFields() throws {
        let text = "a,b,c\n1,\"x, y\",\n\"say \"\"hi\"\"\",,3\n"
        XCTAssertEqual(try records(text), [["a", "b", "c"], ["1", "x, y", ""], ["say \"hi\"", "", "3"]])
    }

    func testLineBreaksInsideQuotesCRLFAndBlankLines() throws {
        let text = "id,note\r\n\r\n1,\"two\nlines\"\r\n2,last"
        XCTAssertEqual(try records(text), [["id", "note"], ["1", "two\nlines"], ["2", "last"]])
    }

    func testTabSeparatedWithTrimming() throws {
        let format = TextFormat(delimiter: "\t", header: false, trimWhitespace: true)
        XCTAssertEqual(try records(" a \t b\n", format: format), [["a", "b"]])
    }

    func testRecordsSpanningChunkBoundariesAreReassembled() throws {
        let rows = (0..<200).map { "\($0),\"quoted \($0)\",\(String(repeating: "x", count: $0 % 37))" }
        let parsed = try records(rows.joined(separator: "\n"), chunkSize: 64)
        XCTAssertEqual(parsed.count, 200)
        XCTAssertEqual(parsed[199], ["199", "quoted 199", String(repeating: "x", count: 199 % 37)])
    }

    func testLocationsCountLinesInsideQuotes() throws {
        let files = try TestFiles()
        let path = try files.write("input.csv", "a,b\n\"x\ny\",z\n")
        let reader = try DelimitedRecordReader(path: path, displayName: "input.csv", format: TextFormat())
        _ = try reader.nextRecord()
        let record = try XCTUnwrap(reader.nextRecord())
        XCTAssertEqual(record.location(ofField: 1, file: "input.csv").description, "input.csv:3:4")
    }

    func testUnterminatedQuoteAndOverlongRecordsAreErrors() throws {
        XCTAssertDataError([":2:3", "expected a closing quote", "the end of the file"]) {
            _ = try self.records("a,b\n1,\"open\n2,3\n")
        }
        let files = try TestFiles()
        let path = try files.write("long.csv", "a\n" + String(repeating: "x", count: 5000) + "\n")
        let reader = try DelimitedRecordReader(path: path, format: TextFormat(), chunkSize: 256, maxRecordBytes: 1024)
        XCTAssertDataError(["long.csv:2:1", "a record shorter than"]) {
            while try reader.nextRecord() != nil {}
        }
    }

    func testNumbersParseFromBytes() {
        func parse(_ text: String) -> Double? { Array(text.utf8).withUnsafeBufferPointer(NumberParsing.double) }
        XCTAssertEqual(parse("42"), 42)
        XCTAssertEqual(parse("-3.25"), -3.25)
        XCTAssertEqual(parse(".5"), 0.5)
        XCTAssertEqual(parse("1e-3"), 0.001)
        XCTAssertEqual(parse("0.1"), 0.1, "the fast path is exact")
        XCTAssertEqual(parse("123456789012345678901234"), 123456789012345678901234.0, "long mantissas fall back correctly")
        XCTAssertNil(parse("12a"))
        XCTAssertNil(parse("-"))
        XCTAssertNil(parse("1e"))
        XCTAssertNil(parse(""))
    }
}
