import XCTest
@testable import RecData

/// Each malformed input stops ingestion with a message naming the place, the column, what was expected
/// and what was found.
final class MalformedInputTests: XCTestCase {
    private let schemaYAML = """
    name: people
    features:
      - {name: city, kind: categorical}
      - {name: age, kind: numeric}
    labels:
      - {name: adult, kind: binary, column: adult}
    """

    private func ingest(_ text: String, options: IngestOptions = IngestOptions(), yaml: String? = nil) throws -> IngestReport {
        let files = try TestFiles()
        return try ingest(path: try files.write("people.csv", text), files: files, options: options, yaml: yaml)
    }

    private func ingest(path: String, files: TestFiles, options: IngestOptions = IngestOptions(), yaml: String? = nil) throws -> IngestReport {
        let schema = try DataSchema.parse(yaml ?? schemaYAML, source: "people.yaml")
        return try DatasetStore.ingest(
            schema: schema, inputs: [IngestInput(path: path, assignment: .whole(.train))], into: files.path("store"), options: options)
    }

    func testANonNumberInANumericColumn() {
        XCTAssertDataError(["people.csv:3:6: column 'age': expected a finite number (magnitude at most 3.4e38), found 'forty'"]) {
            _ = try self.ingest("city,age,adult\nParis,31,1\nLyon,forty,1\n")
        }
    }

    func testNonFiniteAndOutOfRangeNumbersAreLocatedErrors() {
        for text in ["NaN", "nan", "inf", "-Infinity", "1e999", "-1e39", "-", "+", "1e", "0x10"] {
            XCTAssertDataError(["people.csv:3:6: column 'age': expected a finite number (magnitude at most 3.4e38), found '\(text)'"]) {
                _ = try self.ingest("city,age,adult\nParis,31,1\nLyon,\(text),1\n")
            }
        }
        let tsv = schemaYAML.replacingOccurrences(of: "name: people", with: "name: people\nformat: {delimiter: \"\\t\"}")
        XCTAssertDataError(["people.csv:2:7: column 'age': expected a finite number (magnitude at most 3.4e38), found 'NaN'"]) {
            _ = try self.ingest("city\tage\tadult\nParis\tNaN\t1\n", yaml: tsv)
        }
    }

    func testANonFiniteRegressionLabelIsALocatedError() {
        let yaml = schemaYAML.replacingOccurrences(of: "kind: binary", with: "kind: regression")
        XCTAssertDataError(["people.csv:2:10: column 'adult': expected a finite number (magnitude at most 3.4e38), found '1e999'"]) {
            _ = try self.ingest("city,age,adult\nParis,31,1e999\n", yaml: yaml)
        }
    }

    func testEmptyAndListedMarkersAreMissingAndTakeTheTrainingMean() throws {
        let files = try TestFiles()
        let yaml = schemaYAML.replacingOccurrences(of: "name: people", with: "name: people\nformat: {missing: [\"\", \"?\", \"-\"]}")
        let schema = try DataSchema.parse(yaml, source: "people.yaml")
        let inputs = [SplitName.train, .validation, .test].map { split in
            IngestInput(path: try! files.write("\(split.rawValue).csv", "city,age,adult\nParis,20,1\nLyon,,0\nNice,-,1\nRome,40,0\n"),
                        assignment: .whole(split))
        }
        let dataset = try DatasetStore.openOrIngest(schema: schema, inputs: inputs, directory: files.path("store")).dataset
        XCTAssertEqual(dataset.train.numeric.array, [20, 30, 30, 40], "empty and '-' take the mean of 20 and 40")
        let encoder = try XCTUnwrap(dataset.encoder)
        XCTAssertEqual(try encoder.encode(["age": .string("-")]).numeric, [30])
        XCTAssertEqual(try encoder.encode(["age": .string("")]).numeric, [30])
        XCTAssertEqual(try encoder.encode(["age": .missing]).numeric, [30])
        XCTAssertEqual(try encoder.encode([:]).numeric, [30])
    }

    func testSingleRowsRefuseNonFiniteNumbersLikeIngestion() throws {
        let files = try TestFiles()
        let schema = try DataSchema.parse(schemaYAML, source: "people.yaml")
        let inputs = [SplitName.train, .validation, .test].map { split in
            IngestInput(path: try! files.write("\(split.rawValue).csv", "city,age,adult\nParis,20,1\n"), assignment: .whole(split))
        }
        let encoder = try XCTUnwrap(try DatasetStore.openOrIngest(schema: schema, inputs: inputs, directory: files.path("store")).dataset.encoder)
        for value: RawValue in [.string("NaN"), .string("inf"), .string("1e999"), .string("-"), .number(.nan), .number(-.infinity), .number(1e39)] {
            XCTAssertDataError(["feature 'age': expected a finite number (magnitude at most 3.4e38), found"]) {
                _ = try encoder.encode(["age": value])
            }
        }
        XCTAssertEqual(try encoder.encode(["age": .string("")]).numeric, [20], "empty is missing by default")
    }

    func testTooFewAndTooManyFields() {
        XCTAssertDataError(["people.csv:2:9: expected 3 fields, found 2"]) {
            _ = try self.ingest("city,age,adult\nParis,31\n")
        }
        XCTAssertDataError(["people.csv:2:12: expected 3 fields, found 4"]) {
            _ = try self.ingest("city,age,adult\nParis,31,1,extra\n")
        }
    }

    func testABinaryLabelOutsideZeroAndOne() {
        XCTAssertDataError([":2:10: column 'adult': expected 0 or 1, found '2'"]) {
            _ = try self.ingest("city,age,adult\nParis,31,2\n")
        }
    }

    func testBytesThatAreNotUTF8() throws {
        let files = try TestFiles()
        let path = try files.write("people.csv", bytes: Array("city,age,adult\nPar".utf8) + [0xFF] + Array("is,31,1\n".utf8))
        XCTAssertDataError([":2:1: column 'city': expected UTF-8 text, found 'byte 0xFF at byte 4'"]) {
            _ = try self.ingest(path: path, files: files)
        }
    }

    func testAHugeField() {
        let yaml = schemaYAML.replacingOccurrences(of: "name: people", with: "name: people\nformat: {maxFieldBytes: 16}")
        XCTAssertDataError([":2:1: column 'city': expected a field of at most 16 bytes, found '40 bytes'"]) {
            _ = try self.ingest("city,age,adult\n\(String(repeating: "x", count: 40)),31,1\n", yaml: yaml)
        }
    }

    func testEmptyFilesAndFilesWithoutRows() {
        XCTAssertDataError(["people.csv: the file is empty"]) { _ = try self.ingest("") }
        XCTAssertDataError(["people.csv: no data rows after the header"]) { _ = try self.ingest("city,age,adult\n\n") }
    }

    func testASchemaColumnAbsentFromTheHeader() {
        XCTAssertDataError(["people.csv: column 'age' named by the schema is absent (columns: city, years, adult)"]) {
            _ = try self.ingest("city,years,adult\nParis,31,1\n")
        }
    }

    func testMissingAndUnreadableFiles() throws {
        let files = try TestFiles()
        XCTAssertDataError(["nowhere.csv: cannot open"]) {
            _ = try self.ingest(path: files.path("nowhere.csv"), files: files)
        }
        XCTAssertDataError(["not a regular file"]) {
            _ = try self.ingest(path: files.directory, files: files)
        }
    }

    func testBadRowsAreSkippedUpToTheLimitAndReported() throws {
        let text = "city,age,adult\nParis,31,1\nLyon,x,1\nNice,25,0\nRome,40,maybe\n"
        let report = try ingest(text, options: IngestOptions(maxBadRows: 2))
        XCTAssertEqual(report.skippedRows, 2)
        XCTAssertEqual(report.rowCounts[.train], 2)
        XCTAssertEqual(report.skippedExamples.count, 2)
        XCTAssertTrue(report.skippedExamples[0].contains(":3:6: column 'age'"))
        XCTAssertDataError(["more than 1 malformed rows", ":3:6: column 'age'"]) {
            _ = try self.ingest(text, options: IngestOptions(maxBadRows: 1))
        }
    }

    func testAnUnknownBehaviourInAnEventLog() throws {
        let files = try TestFiles()
        let path = try files.write("events.csv", "1,10,5,pv,1511700000\n1,11,5,like,1511700001\n")
        let schema = try BuiltinDataset.taobao.schema()
        XCTAssertDataError(["events.csv:2:8: column 'behavior_type': expected one of pv, cart, fav, buy, found 'like'"]) {
            _ = try DatasetStore.ingest(schema: schema, inputs: [IngestInput(path: path, assignment: .whole(.train))], into: files.path("store"))
        }
    }
}
