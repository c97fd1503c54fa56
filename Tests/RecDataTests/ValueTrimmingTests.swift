import XCTest
@testable import RecData

/// Under a trimming format a value padded with spaces or tabs is the value itself, whether it
/// arrives in the ingested file, in a row of `dtrn predict`'s CSV input or in a JSON request.
final class ValueTrimmingTests: XCTestCase {
    private let schemaYAML = """
    name: census-like
    format: {delimiter: ",", header: true, trimWhitespace: true}
    features:
      - {name: workclass, kind: categorical}
      - {name: age, kind: numeric, transform: standardize}
      - {name: jobs, kind: sequence, separator: "|", maxLength: 3}
    labels:
      - {name: rich, kind: binary, column: rich}
    """

    private let train = """
    workclass,age,jobs,rich
    Private, 30,a|b,1
     Private ,40, a | b ,0
    State-gov,50,b,1
    \tPrivate\t, 60 ,a,0
    """

    private func ingest(_ files: TestFiles) throws -> EncodedDataset {
        let schema = try DataSchema.parse(schemaYAML, source: "census-like.yaml")
        let input = IngestInput(path: try files.write("train.csv", train), assignment: .whole(.train))
        let empty = "workclass,age,jobs,rich\nPrivate,1,a,1\n"
        let others = [SplitName.validation, .test].map { split in
            IngestInput(path: try! files.write("\(split.rawValue).csv", empty), assignment: .whole(split))
        }
        return try DatasetStore.openOrIngest(schema: schema, inputs: [input] + others, directory: files.path("store")).dataset
    }

    func testTheRuleDropsOuterSpacesAndTabsOnly() {
        XCTAssertEqual(ValueTrimming.trimmed(" Private"), "Private")
        XCTAssertEqual(ValueTrimming.trimmed("\tSelf emp \t"), "Self emp")
        XCTAssertEqual(ValueTrimming.trimmed("   "), "")
        XCTAssertEqual(ValueTrimming.trimmed("Private"), "Private")
    }

    func testIngestionGivesPaddedValuesOneID() throws {
        let files = try TestFiles()
        let dataset = try ingest(files)
        let encoder = try XCTUnwrap(dataset.encoder)
        XCTAssertEqual(encoder.vocabulary(of: "workclass")?.tokens, ["Private", "State-gov"])
        let ids = dataset.train.categorical.array
        XCTAssertEqual(ids, [2, 2, 3, 2])
        XCTAssertEqual(dataset.train.sequences[0].items(ofRow: 0), dataset.train.sequences[0].items(ofRow: 1))
    }

    func testSingleRowsAreEncodedByTheSameRuleAsIngestion() throws {
        let files = try TestFiles()
        let dataset = try ingest(files)
        let encoder = try XCTUnwrap(dataset.encoder)
        XCTAssertTrue(encoder.trimWhitespace)
        let plain = try encoder.encode(["workclass": .string("Private"), "age": .string("40"), "jobs": .string("a|b")])
        XCTAssertEqual(plain.categorical, [dataset.train.categorical.array[1]])
        XCTAssertEqual(plain.numeric, [dataset.train.numeric.array[1]])
        XCTAssertEqual(plain.sequences, [dataset.train.sequences[0].items(ofRow: 1)])
        for padded: [String: RawValue] in [
            ["workclass": .string(" Private"), "age": .string(" 40"), "jobs": .string(" a | b ")],
            ["workclass": .string("Private\t"), "age": .number(40), "jobs": .list([" a", "b "])],
        ] {
            XCTAssertEqual(try encoder.encode(padded), plain, "\(padded)")
        }
        // A row of `dtrn predict`'s CSV input, read without trimming, is trimmed by the encoder.
        let rows = try RawRowReader(path: try files.write("rows.csv", "workclass,age,jobs\n Private , 40 ,a| b\n"),
                                    format: TextFormat())
        let (_, values) = try XCTUnwrap(try rows.next())
        XCTAssertEqual(values["workclass"], .string(" Private "))
        XCTAssertEqual(try encoder.encode(values), plain)
    }

    func testAFormatThatDoesNotTrimKeepsThePadding() throws {
        let files = try TestFiles()
        let yaml = schemaYAML.replacingOccurrences(of: "trimWhitespace: true", with: "trimWhitespace: false")
        let schema = try DataSchema.parse(yaml, source: "untrimmed.yaml")
        let inputs = [SplitName.train, .validation, .test].map { split in
            IngestInput(path: try! files.write("\(split.rawValue).csv", "workclass,age,jobs,rich\nPrivate,1,a,1\n"),
                        assignment: .whole(split))
        }
        let encoder = try XCTUnwrap(try DatasetStore.openOrIngest(schema: schema, inputs: inputs, directory: files.path("store")).dataset.encoder)
        XCTAssertEqual(try encoder.encode(["workclass": .string(" Private")]).categorical, [Vocabulary.unknownID])
        XCTAssertEqual(try encoder.encode(["workclass": .string("Private")]).categorical, [Vocabulary.firstKnownID])
    }
}
