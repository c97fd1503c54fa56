import XCTest
@testable import RecData

final class BatchIteratorTests: XCTestCase {
    private let schema = DatasetSchema(
        name: "counting", categorical: [.init(name: "id", vocabularySize: 1000)], numeric: [], sequences: [],
        tasks: [.init(name: "y", kind: .regression)], groupKey: nil)

    private func split(rows: Int) throws -> EncodedSplit {
        try EncodedSplit(
            schema: schema, rowCount: rows, categorical: IDColumn((0..<Int32(rows)).map { $0 }), numeric: Column([]),
            sequences: [], labels: Column((0..<rows).map(Float.init)), labelWeights: Column(Array(repeating: 1, count: rows)),
            groups: nil)
    }

    private func epochOrder(_ iterator: inout BatchIterator, epoch: Int) -> [Int32] {
        iterator.startEpoch(epoch)
        var batch = iterator.makeBatch()
        var order: [Int32] = []
        while iterator.next(into: &batch) {
            order += batch.categorical[0..<batch.size]
            XCTAssertEqual(batch.labels[0..<batch.size].map(Int32.init), Array(batch.categorical[0..<batch.size]), "labels travel with their rows")
        }
        return order
    }

    func testTheSameSeedGivesTheSameOrder() throws {
        let data = try split(rows: 100)
        var first = BatchIterator(split: data, schema: schema, batchSize: 16, shuffle: true, seed: 7)
        var second = BatchIterator(split: data, schema: schema, batchSize: 16, shuffle: true, seed: 7)
        XCTAssertEqual(epochOrder(&first, epoch: 3), epochOrder(&second, epoch: 3))
    }

    func testEpochsAndSeedsChangeTheOrderButEveryRowAppearsOnce() throws {
        let data = try split(rows: 100)
        var iterator = BatchIterator(split: data, schema: schema, batchSize: 16, shuffle: true, seed: 7)
        let epoch0 = epochOrder(&iterator, epoch: 0)
        let epoch1 = epochOrder(&iterator, epoch: 1)
        var other = BatchIterator(split: data, schema: schema, batchSize: 16, shuffle: true, seed: 8)
        XCTAssertNotEqual(epoch0, epoch1)
        XCTAssertNotEqual(epoch0, epochOrder(&other, epoch: 0))
        XCTAssertEqual(epoch0.sorted(), (0..<100).map(Int32.init))
        XCTAssertEqual(epoch1.sorted(), (0..<100).map(Int32.init))
    }

    func testWithoutShufflingRowsComeInOrderAndDropLastSkipsTheRemainder() throws {
        let data = try split(rows: 10)
        var iterator = BatchIterator(split: data, schema: schema, batchSize: 4, shuffle: false)
        XCTAssertEqual(epochOrder(&iterator, epoch: 0), (0..<10).map(Int32.init))
        XCTAssertEqual(iterator.batchCount, 3)
        var dropping = BatchIterator(split: data, schema: schema, batchSize: 4, shuffle: false, dropLast: true)
        XCTAssertEqual(epochOrder(&dropping, epoch: 0), (0..<8).map(Int32.init))
        XCTAssertEqual(dropping.batchCount, 2)
    }
}
