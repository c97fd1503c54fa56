import XCTest
@testable import RecData

final class StoreTests: XCTestCase {
    private func setUp(_ files: TestFiles) throws -> (DataSchema, [IngestInput]) {
        let schema = try DataSchema.parse(IngestionTests.schemaYAML, source: "clicks.yaml")
        let path = try files.write("all.csv", IngestionTests.train)
        return (schema, [IngestInput(path: path, assignment: .divided(SplitSpec(validation: 0.25, test: 0.25, seed: 1)))])
    }

    func testTheStoreIsReusedUntilTheSchemaOrTheInputChanges() throws {
        let files = try TestFiles()
        let (schema, inputs) = try setUp(files)
        let store = files.path("store")
        XCTAssertFalse(try DatasetStore.openOrIngest(schema: schema, inputs: inputs, directory: store).report.reused)
        XCTAssertTrue(try DatasetStore.openOrIngest(schema: schema, inputs: inputs, directory: store).report.reused)

        var changed = schema
        changed.features[2].transform = .minMax
        XCTAssertFalse(try DatasetStore.openOrIngest(schema: changed, inputs: inputs, directory: store).report.reused)
        XCTAssertTrue(try DatasetStore.openOrIngest(schema: changed, inputs: inputs, directory: store).report.reused)

        try files.write("all.csv", IngestionTests.train + "\nu9,i1,5,,1,1\n")
        let rebuilt = try DatasetStore.openOrIngest(schema: changed, inputs: inputs, directory: store)
        XCTAssertFalse(rebuilt.report.reused)
        XCTAssertEqual(SplitName.allCases.map { rebuilt.dataset[$0].rowCount }.reduce(0, +), 5)
    }

    func testAStoreThatSkippedBadRowsIsNotReusedUnderAStricterLimit() throws {
        let files = try TestFiles()
        let (schema, _) = try setUp(files)
        let path = try files.write("bad.csv", IngestionTests.train + "\nu5,i1,cheap,,1,1\nu6,i2,40,,1,0\n")
        let inputs = [IngestInput(path: path, assignment: .divided(SplitSpec(validation: 0.25, test: 0.25, seed: 1)))]
        let store = files.path("store")
        func open(maxBadRows: Int) throws -> IngestReport {
            try DatasetStore.openOrIngest(schema: schema, inputs: inputs, directory: store,
                                          options: IngestOptions(maxBadRows: maxBadRows)).report
        }
        let lenient = try open(maxBadRows: 5)
        XCTAssertFalse(lenient.reused)
        XCTAssertEqual(lenient.skippedRows, 1)
        XCTAssertTrue(try open(maxBadRows: 5).reused)
        XCTAssertTrue(try open(maxBadRows: 1).reused, "a limit of 1 builds the same store")
        XCTAssertDataError(["bad.csv:6:7: column 'price': expected a finite number (magnitude at most 3.4e38), found 'cheap'"]) {
            _ = try open(maxBadRows: 0)
        }
    }

    func testAStrictStoreIsWhatAnyLimitBuilds() throws {
        let files = try TestFiles()
        let (schema, inputs) = try setUp(files)
        let store = files.path("store")
        XCTAssertFalse(try DatasetStore.openOrIngest(schema: schema, inputs: inputs, directory: store).report.reused)
        XCTAssertTrue(try DatasetStore.openOrIngest(schema: schema, inputs: inputs, directory: store,
                                                    options: IngestOptions(maxBadRows: 3)).report.reused)
    }

    func testTheManifestRecordsSourcesCountsAndChecksums() throws {
        let files = try TestFiles()
        let (schema, inputs) = try setUp(files)
        let store = files.path("store")
        _ = try DatasetStore.ingest(schema: schema, inputs: inputs, into: store)
        let manifest = try DatasetStore.readManifest(store)
        XCTAssertEqual(manifest.sources.map(\.bytes), [IngestionTests.train.utf8.count])
        XCTAssertEqual(manifest.splits.map(\.rowCount).reduce(0, +), 4)
        XCTAssertEqual(manifest.vocabularySizes["item"], manifest.vocabularySizes["history"])
        XCTAssertNoThrow(try DatasetStore.open(store, verifyChecksums: true))

        let train = store + "/train/" + StoreLayout.labels
        var bytes = try Data(contentsOf: URL(fileURLWithPath: train))
        bytes[0] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: train))
        XCTAssertDataError(["invalid dataset store", "train/labels.f32 does not match its checksum"]) {
            _ = try DatasetStore.open(store, verifyChecksums: true)
        }
    }

    func testIngestedCategoricalIdsTakeOneByteWhenTheirVocabulariesAreSmall() throws {
        let files = try TestFiles()
        let (schema, inputs) = try setUp(files)
        let store = files.path("store")
        _ = try DatasetStore.ingest(schema: schema, inputs: inputs, into: store)
        for split in SplitName.allCases {
            let folder = store + "/" + split.rawValue + "/"
            XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "categorical.u8"), split.rawValue)
            XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "categorical.i32"), split.rawValue)
        }
        let dataset = try DatasetStore.open(store, verifyChecksums: true)
        XCTAssertEqual(dataset.train.categorical.width, .one)
        let schemaOfIds = dataset.schema.categorical.map(\.vocabularySize)
        let ids = dataset.train.categorical.array
        XCTAssertEqual(ids.count, dataset.train.rowCount * schemaOfIds.count)
        for (index, id) in ids.enumerated() {
            XCTAssert(id >= 0 && Int(id) < schemaOfIds[index % schemaOfIds.count], "id \(id) outside its vocabulary")
        }
    }

    func testWideIdsRoundTripThroughTheStore() throws {
        let files = try TestFiles()
        let schema = DatasetSchema(
            name: "wide", categorical: [.init(name: "id", vocabularySize: 70_000)], numeric: [], sequences: [],
            tasks: [.init(name: "y", kind: .binary)], groupKey: nil)
        func split(_ ids: [Int32]) throws -> EncodedSplit {
            try EncodedSplit(schema: schema, rowCount: ids.count, categorical: IDColumn(ids), numeric: Column([]),
                             sequences: [], labels: Column(ids.map { _ in 1 }), labelWeights: Column(ids.map { _ in 1 }),
                             groups: nil)
        }
        let dataset = EncodedDataset(schema: schema, encoder: nil, train: try split([69_999, 3]),
                                     validation: try split([65_535, 0]), test: try split([255, 7]))
        let store = files.path("store")
        try DatasetStore.write(dataset, to: store)
        XCTAssertTrue(FileManager.default.fileExists(atPath: store + "/train/categorical.i32"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: store + "/validation/categorical.u16"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: store + "/test/categorical.u8"))
        let loaded = try DatasetStore.open(store, verifyChecksums: true)
        XCTAssertEqual(loaded.train.categorical.array, [69_999, 3])
        XCTAssertEqual(loaded.validation.categorical.array, [65_535, 0])
        XCTAssertEqual(loaded.test.categorical.array, [255, 7])
        var batches = BatchIterator(split: loaded.validation, schema: schema, batchSize: 2, shuffle: false)
        var batch = batches.makeBatch()
        XCTAssertTrue(batches.next(into: &batch))
        XCTAssertEqual(Array(batch.categorical.prefix(2)), [65_535, 0])
    }

    /// `body` throws a ``FormatVersionError`` whose message contains `fragment`.
    private func XCTAssertFormatError(_ fragment: String, line: UInt = #line, _ body: () throws -> Void) {
        XCTAssertThrowsError(try body(), line: line) { error in
            XCTAssertTrue(error is FormatVersionError, "\(error)", line: line)
            XCTAssertTrue("\(error)".contains(fragment), "'\(error)' does not contain '\(fragment)'", line: line)
        }
    }

    func testAStoreOfAnotherFormatIsRefusedByNameAndRebuiltWhenCached() throws {
        let files = try TestFiles()
        let (schema, inputs) = try setUp(files)
        let store = files.path("store")
        _ = try DatasetStore.ingest(schema: schema, inputs: inputs, into: store)
        let manifestPath = store + "/" + StoreLayout.manifest
        let current = try Data(contentsOf: URL(fileURLWithPath: manifestPath))
        func stamp(_ version: Int?) throws {
            var object = try XCTUnwrap(try JSONSerialization.jsonObject(with: current) as? [String: Any])
            object["formatVersion"] = version
            try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: manifestPath))
        }
        try stamp(2)
        XCTAssertFormatError("\(manifestPath) was written by an older version of dtrn (format 2, this build reads 3); ingest the data again") {
            _ = try DatasetStore.open(store)
        }
        try stamp(nil)
        XCTAssertFormatError("older version of dtrn (no format version recorded, this build reads 3)") {
            _ = try DatasetStore.open(store)
        }
        try stamp(4)
        XCTAssertFormatError("\(manifestPath) was written by a newer version of dtrn (format 4, this build reads 3)") {
            _ = try DatasetStore.open(store)
        }
        // As a cache of its inputs, a store of another format is simply built again.
        let reopened = try DatasetStore.openOrIngest(schema: schema, inputs: inputs, directory: store)
        XCTAssertFalse(reopened.report.reused)
        XCTAssertEqual(try DatasetStore.readManifest(store).formatVersion, StoreManifest.currentFormatVersion)
    }

    func testIdsTakeTheNarrowestWidthHoldingThemAll() {
        XCTAssertEqual(IDColumn([]).width, .one)
        XCTAssertEqual(IDColumn([0, 255]).width, .one)
        XCTAssertEqual(IDColumn([0, 256]).width, .two)
        XCTAssertEqual(IDColumn([65_535]).width, .two)
        XCTAssertEqual(IDColumn([65_536]).width, .four)
        XCTAssertEqual(IDColumn([-1, 3]).width, .four)
        for values: [Int32] in [[], [0, 255, 17], [256, 65_535, 1], [-1, 65_536, Int32.max, Int32.min]] {
            XCTAssertEqual(IDColumn(values).array, values)
            XCTAssertEqual(IDColumn(values).count, values.count)
        }
    }

    func testDividingAFileIsSeededAndCoversEveryRow() {
        let spec = SplitSpec(validation: 0.2, test: 0.3, seed: 42)
        let splits = (0..<10_000).map { TableIngestor.split(of: UInt64($0), assignment: .divided(spec)) }
        XCTAssertEqual(splits, (0..<10_000).map { TableIngestor.split(of: UInt64($0), assignment: .divided(spec)) })
        XCTAssertEqual(Double(splits.filter { $0 == .test }.count) / 10_000, 0.3, accuracy: 0.02)
        XCTAssertEqual(Double(splits.filter { $0 == .validation }.count) / 10_000, 0.2, accuracy: 0.02)
    }

    func testRightAlignedPaddedRowsBecomeASequenceField() {
        let sequence = EncodedSequence(rightAligned: [0, 0, 7, 0, 8, 9, 4, 5, 6], maxLength: 3, lengths: [1, 2, 3])
        XCTAssertEqual((0..<3).map(sequence.items(ofRow:)), [[7], [8, 9], [4, 5, 6]])
    }

    func testAnInMemoryDatasetRoundTripsThroughTheStore() throws {
        let files = try TestFiles()
        let schema = DatasetSchema(
            name: "tiny", categorical: [.init(name: "id", vocabularySize: 10)], numeric: [.init(name: "x")],
            sequences: [.init(name: "seen", behaviour: nil, maxLength: 2, vocabularySize: 10, sharesVocabularyWith: "id")],
            tasks: [.init(name: "y", kind: .binary)], groupKey: nil)
        func split(_ offset: Int32) throws -> EncodedSplit {
            try EncodedSplit(
                schema: schema, rowCount: 2, categorical: IDColumn([2 + offset, 3]), numeric: Column([0.5, -1]),
                sequences: [EncodedSequence(rows: [[4], [5, 6]])], labels: Column([1, 0]), labelWeights: Column([1, 1]), groups: nil)
        }
        let dataset = EncodedDataset(schema: schema, encoder: nil, train: try split(0), validation: try split(1), test: try split(2))
        try DatasetStore.write(dataset, to: files.path("store"))
        let loaded = try DatasetStore.open(files.path("store"), verifyChecksums: true)
        XCTAssertEqual(loaded.schema, schema)
        XCTAssertNil(loaded.encoder)
        XCTAssertEqual(loaded.validation.categorical.array, [3, 3])
        XCTAssertEqual(loaded.test.sequences[0].items(ofRow: 1), [5, 6])
        XCTAssertDataError(["numeric holds 1 values, expected 2 rows × 1"]) {
            _ = try EncodedSplit(
                schema: schema, rowCount: 2, categorical: IDColumn([2, 3]), numeric: Column([0.5]),
                sequences: [EncodedSequence(rows: [[], []])], labels: Column([1, 0]), labelWeights: Column([1, 1]), groups: nil)
        }
    }
}
