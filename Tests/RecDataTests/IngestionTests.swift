import XCTest
@testable import RecData

final class IngestionTests: XCTestCase {
    /// Users, items, a price, a click history and two labels, one masked by the other.
    static let schemaYAML = """
    name: clicks
    features:
      - {name: user, kind: categorical}
      - {name: item, kind: categorical, minCount: 2}
      - {name: price, kind: numeric, transform: standardize}
      - {name: history, kind: sequence, separator: "|", maxLength: 3, behaviour: click, vocabulary: item}
    labels:
      - {name: click, kind: binary, column: click}
      - {name: buy, kind: binary, column: buy, mask: {column: click, equals: "1"}}
    groupKey: user
    """

    static let train = """
    user,item,price,history,click,buy
    u1,i1,10,i1|i2|i3|i1,1,1
    u2,i1,20,,0,0
    u1,i2,30,i2,1,0
    u3,i2,?,i9|i1,0,1
    """

    static let validation = """
    user,item,price,history,click,buy
    u1,i3,1000,i3|i1,1,0
    u4,i1,20,?,0,0
    """

    private func ingest(_ files: TestFiles) throws -> EncodedDataset {
        let schema = try DataSchema.parse(Self.schemaYAML, source: "clicks.yaml")
        let inputs = [
            IngestInput(path: try files.write("train.csv", Self.train), assignment: .whole(.train)),
            IngestInput(path: try files.write("validation.csv", Self.validation), assignment: .whole(.validation)),
            IngestInput(path: try files.write("test.csv", Self.validation), assignment: .whole(.test)),
        ]
        return try DatasetStore.openOrIngest(schema: schema, inputs: inputs, directory: files.path("store")).dataset
    }

    private func row(_ split: EncodedSplit, _ index: Int, width: Int) -> [Int32] {
        Array(split.categorical.array[index * width..<(index + 1) * width])
    }

    func testVocabulariesAreFittedOnTrainingWithOOVAndMissingRows() throws {
        let files = try TestFiles()
        let dataset = try ingest(files)
        let encoder = try XCTUnwrap(dataset.encoder)
        let items = try XCTUnwrap(encoder.vocabulary(of: "item"))
        // Training counts: i1 ×2 as item + 3 in histories, i2 ×2 + 2, i3 ×1 in history only (minCount 2), i9 ×1.
        XCTAssertEqual(items.tokens, ["i1", "i2"])
        XCTAssertEqual(dataset.schema.categorical.map(\.vocabularySize), [5, 4], "users u1 u2 u3; items i1 i2")
        XCTAssertEqual(dataset.schema.sequences[0].sharesVocabularyWith, "item")
        XCTAssertEqual(row(dataset.validation, 0, width: 2), [encoder.vocabulary(of: "user")!.id(of: "u1"), Vocabulary.unknownID])
        XCTAssertEqual(row(dataset.validation, 1, width: 2)[0], Vocabulary.unknownID, "u4 never appears in training")
    }

    func testEncodeDecodeRoundTripMatchesIngestedRows() throws {
        let files = try TestFiles()
        let dataset = try ingest(files)
        let encoder = try XCTUnwrap(dataset.encoder)
        let raw: [String: RawValue] = ["user": .string("u1"), "item": .string("i2"), "price": .number(30), "history": .string("i2")]
        let encoded = try encoder.encode(raw)
        XCTAssertEqual(encoded.categorical, row(dataset.train, 2, width: 2))
        XCTAssertEqual(encoded.numeric, [dataset.train.numeric[2]])
        XCTAssertEqual(encoded.sequences, [dataset.train.sequences[0].items(ofRow: 2)])
        XCTAssertEqual(encoded.categorical.enumerated().map { encoder.vocabularies[encoder.categorical[$0].vocabulary].token(of: $1) }, ["u1", "i2"])

        let restored = try JSONDecoder().decode(FeatureEncoder.self, from: JSONEncoder().encode(encoder))
        XCTAssertEqual(restored, encoder)
        let fromJSON = try JSONDecoder().decode([String: RawValue].self, from: Data(#"{"user": "u1", "item": "i2", "price": "30", "history": ["i2"]}"#.utf8))
        XCTAssertEqual(try restored.encode(fromJSON), encoded)
    }

    func testNumericTransformIsFittedOnTrainingOnly() throws {
        let files = try TestFiles()
        let dataset = try ingest(files)
        let transform = try XCTUnwrap(dataset.encoder?.numeric.first?.transform)
        XCTAssertEqual(transform.mean, 20, accuracy: 1e-9, "10, 20, 30 in training; the validation 1000 is not seen")
        XCTAssertEqual(transform.standardDeviation, (200.0 / 3).squareRoot(), accuracy: 1e-9)
        XCTAssertEqual(dataset.train.numeric[3], 0, "a missing price becomes the training mean")
        XCTAssertEqual(dataset.validation.numeric[0], Float(980 / (200.0 / 3).squareRoot()), accuracy: 1e-4)
    }

    func testSequencesAreTruncatedToTheNewestItems() throws {
        let files = try TestFiles()
        let dataset = try ingest(files)
        let items = try XCTUnwrap(dataset.encoder?.vocabulary(of: "item"))
        let history = dataset.train.sequences[0]
        XCTAssertEqual(history.items(ofRow: 0), ["i2", "i3", "i1"].map(items.id(of:)), "maxLength 3 keeps the newest, newest last")
        XCTAssertEqual(history.items(ofRow: 1), [], "an empty list")
        XCTAssertEqual(history.items(ofRow: 3), [Vocabulary.unknownID, items.id(of: "i1")])
        XCTAssertEqual(dataset.validation.sequences[0].items(ofRow: 1), [], "'?' is a missing list")
    }

    func testLabelsMasksAndGroups() throws {
        let files = try TestFiles()
        let dataset = try ingest(files)
        XCTAssertEqual(dataset.train.labels.array, [1, 1, 0, 0, 1, 0, 0, 1])
        XCTAssertEqual(dataset.train.labelWeights.array, [1, 1, 1, 0, 1, 1, 1, 0], "buy only counts where click = 1")
        XCTAssertEqual(dataset.train.groups?.array, [0, 1, 0, 2])
        XCTAssertEqual(dataset.validation.groups?.array, [0, 3], "group ids are dense over all splits")
    }

    func testBatchesArePaddedOnTheLeftWithLengths() throws {
        let files = try TestFiles()
        let dataset = try ingest(files)
        var iterator = BatchIterator(split: dataset.train, schema: dataset.schema, batchSize: 3, shuffle: false)
        var batch = iterator.makeBatch()
        XCTAssertTrue(iterator.next(into: &batch))
        let items = try XCTUnwrap(dataset.encoder?.vocabulary(of: "item"))
        let i1 = items.id(of: "i1"), i2 = items.id(of: "i2")
        XCTAssertEqual(batch.size, 3)
        XCTAssertEqual(batch.sequences[0], [i2, Vocabulary.unknownID, i1, 0, 0, 0, 0, 0, i2])
        XCTAssertEqual(batch.sequenceLengths[0], [3, 0, 1])
        XCTAssertEqual(batch.sequenceMask(field: 0, row: 2), [false, false, true])
        XCTAssertEqual(batch.labels, [1, 1, 0, 0, 1, 0])
        XCTAssertTrue(iterator.next(into: &batch))
        XCTAssertEqual(batch.size, 1, "the last batch holds the remainder")
        XCTAssertEqual(batch.rowIndices[0], 3)
        XCTAssertFalse(iterator.next(into: &batch))
    }
}
