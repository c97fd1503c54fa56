import XCTest
@testable import RecData

final class BuiltinDatasetTests: XCTestCase {
    private func loadTaobao(_ files: TestFiles) throws -> EncodedDataset {
        try SharedData.skipUnlessPresent("taobao-userbehavior")
        return try BuiltinDataset.taobao.load(dataRoot: SharedData.root, cacheDirectory: files.directory).dataset
    }

    /// The samples of one user, as (item, labels, sequences) with ids decoded back to raw item ids.
    private func samples(of user: String, in split: EncodedSplit, dataset: EncodedDataset) throws -> [(item: String, labels: [Float], sequences: [[String]])] {
        let encoder = try XCTUnwrap(dataset.encoder)
        let users = try XCTUnwrap(encoder.vocabulary(of: "user_id"))
        let items = try XCTUnwrap(encoder.vocabulary(of: "item_id"))
        let width = dataset.schema.categorical.count
        let tasks = dataset.schema.tasks.count
        let categorical = split.categorical.array
        let labels = split.labels.array
        return (0..<split.rowCount).filter { categorical[$0 * width] == users.id(of: user) }.map { row in
            (items.token(of: categorical[row * width + 1]) ?? "?",
             Array(labels[row * tasks..<(row + 1) * tasks]),
             split.sequences.map { $0.items(ofRow: row).map { items.token(of: $0) ?? "?" } })
        }
    }

    /// User 1000027 of the sample, checked by hand against the raw events (times in China time):
    /// pv 946651 (26 Nov), cart 2070173, buy 1934938 (29 Nov), pv 1688132, pv 3713945, pv 1688132 (1 Dec),
    /// cart 2327305 (1 Dec 23:58), pv 4302745 (2 Dec 00:00:57), cart 3662830, cart 4302745, cart 646869,
    /// pv 4302745, pv 2913671, pv 1027890, pv 2277034, pv 1027890, pv 4070233, pv 1175547, buy 3241094 (3 Dec).
    func testTaobaoSamplesOfAHandCheckedUser() throws {
        let files = try TestFiles()
        let dataset = try loadTaobao(files)
        XCTAssertEqual(dataset.schema.tasks.map(\.name), ["cart", "fav", "buy"])
        XCTAssertEqual(dataset.schema.sequences.map(\.behaviour), ["pv", "cart", "fav", "buy"])

        let train = try samples(of: "1000027", in: dataset.train, dataset: dataset)
        XCTAssertEqual(train.map(\.item), ["946651", "1688132", "3713945"], "first views only, before 2 Dec")
        XCTAssertEqual(train.map(\.labels), [[0, 0, 0], [0, 0, 0], [0, 0, 0]])
        XCTAssertEqual(train[0].sequences, [[], [], [], []], "nothing precedes the first event")
        XCTAssertEqual(train[2].sequences, [["946651", "1688132"], ["2070173"], [], ["1934938"]])

        let validation = try samples(of: "1000027", in: dataset.validation, dataset: dataset)
        XCTAssertEqual(validation.count, 6, "six first views on 2 Dec")
        XCTAssertEqual(validation.map(\.labels), [[1, 0, 0]] + Array(repeating: [0, 0, 0], count: 5),
                       "the first, 4302745, is carted three minutes after its first view")
        XCTAssertEqual(validation[0].sequences[0], ["946651", "1688132", "3713945", "1688132"])
        XCTAssertEqual(validation[0].sequences[1], ["2070173", "2327305"])
        XCTAssertEqual(try samples(of: "1000027", in: dataset.test, dataset: dataset).count, 0, "no view on 3 Dec")
    }

    /// With every sample in training, items first seen on 2 Dec are in the vocabulary and decode too.
    func testTaobaoSequencesOfAHandCheckedUserInFull() throws {
        try SharedData.skipUnlessPresent("taobao-userbehavior")
        let files = try TestFiles()
        var schema = try BuiltinDataset.taobao.schema()
        schema.eventLog?.validationFrom = .max
        schema.eventLog?.testFrom = .max
        let dataset = try BuiltinDataset.taobao.load(schema: schema, dataRoot: SharedData.root, cacheDirectory: files.directory).dataset
        let all = try samples(of: "1000027", in: dataset.train, dataset: dataset)
        XCTAssertEqual(all.map(\.item), [
            "946651", "1688132", "3713945", "4302745", "2913671", "1027890", "2277034", "4070233", "1175547",
        ])
        XCTAssertEqual(all[4].sequences, [
            ["946651", "1688132", "3713945", "1688132", "4302745", "4302745"],
            ["2070173", "2327305", "3662830", "4302745", "646869"], [], ["1934938"],
        ], "events strictly before 2913671's first view, oldest first")
        XCTAssertEqual(all[8].sequences[0].count, 11, "eleven pv events precede 1175547")
        XCTAssertEqual(all[8].sequences[0].last, "4070233")
    }

    func testTaobaoUnsortedInputGivesTheSameSamples() throws {
        try SharedData.skipUnlessPresent("taobao-userbehavior")
        let files = try TestFiles()
        let lines = try String(contentsOfFile: SharedData.root + "/taobao-userbehavior/UserBehavior-sample.csv", encoding: .utf8)
            .split(separator: "\n")
        let shuffled = try files.write("UserBehavior.csv", lines.reversed().joined(separator: "\n") + "\n")
        let sorted = try loadTaobao(files)
        let reversed = try BuiltinDataset.taobao.load(input: shuffled, cacheDirectory: files.path("reversed")).dataset
        let user = "1000027"
        XCTAssertEqual(try samples(of: user, in: reversed.validation, dataset: reversed).map(\.sequences),
                       try samples(of: user, in: sorted.validation, dataset: sorted).map(\.sequences))
        XCTAssertEqual(SplitName.allCases.map { reversed[$0].rowCount }, SplitName.allCases.map { sorted[$0].rowCount })
    }

    func testAliCCPSampleWithAndWithoutThePurchaseMask() throws {
        try SharedData.skipUnlessPresent("ali-ccp")
        let files = try TestFiles()
        let plain = try BuiltinDataset.aliCCP.load(dataRoot: SharedData.root, cacheDirectory: files.directory).dataset
        XCTAssertEqual(SplitName.allCases.map { plain[$0].rowCount }, [100, 50, 50])
        XCTAssertEqual(plain.schema.categorical.count, 23)
        XCTAssertEqual(plain.schema.numeric.count, 8)
        let summary = SplitSummary(plain.train, schema: plain.schema)
        XCTAssertEqual(summary.labelMeans, [0.07, 0.01], accuracy: 1e-9)

        let masked = try BuiltinDataset.aliCCP.schema().maskingTask("purchase", where: "click", equals: "1")
        let dataset = try BuiltinDataset.aliCCP.load(schema: masked, dataRoot: SharedData.root, cacheDirectory: files.path("masked")).dataset
        let maskedSummary = SplitSummary(dataset.train, schema: dataset.schema)
        XCTAssertEqual(maskedSummary.labelledCounts, [100, 7], "purchase counts on the 7 clicked rows only")
    }

    func testCensusFromAnotherCopyOfItsFiles() throws {
        try SharedData.skipUnlessPresent("census-income")
        let files = try TestFiles()
        var copiedBytes = 0
        for name in ["census-income.data.csv", "census-income.test.csv"] {
            let handle = try XCTUnwrap(FileHandle(forReadingAtPath: SharedData.root + "/census-income/" + name))
            let text = String(decoding: handle.readData(ofLength: 400_000), as: UTF8.self)
            let prefix = text.split(separator: "\n").prefix(400).joined(separator: "\n") + "\n"
            try files.write(name, prefix)
            copiedBytes += prefix.utf8.count
        }
        let (dataset, report) = try BuiltinDataset.censusIncome.load(input: files.directory, cacheDirectory: files.path("cache"))
        XCTAssertEqual(dataset.train.rowCount, 400)
        XCTAssertEqual(dataset.validation.rowCount + dataset.test.rowCount, 400)
        XCTAssertEqual(dataset.validation.rowCount, 200, accuracy: 40)
        XCTAssertEqual(report.inputBytes, copiedBytes)
        XCTAssertFalse(report.reused)
        XCTAssertEqual(dataset.schema.tasks.map(\.name), ["income_over_50k", "never_married"])
        XCTAssertNil(dataset.schema.categoricalIndex(of: "marital_stat"))
        let encoder = try XCTUnwrap(dataset.encoder)
        XCTAssertEqual(encoder.vocabulary(of: "sex")?.tokens.sorted(), ["Female", "Male"])

        XCTAssertDataError(["census-income expects a folder holding census-income.data.csv"]) {
            _ = try BuiltinDataset.censusIncome.inputs(at: files.path("census-income.data.csv"))
        }
    }
}

private func XCTAssertEqual(_ lhs: [Double], _ rhs: [Double], accuracy: Double, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(lhs.count, rhs.count, file: file, line: line)
    for (left, right) in zip(lhs, rhs) { XCTAssertEqual(left, right, accuracy: accuracy, file: file, line: line) }
}
