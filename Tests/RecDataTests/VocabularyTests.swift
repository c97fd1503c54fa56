import XCTest
@testable import RecData

final class VocabularyTests: XCTestCase {
    private func code(_ builder: VocabularyBuilder, _ text: String, training: Bool = true) -> Int32 {
        Array(text.utf8).withUnsafeBufferPointer { builder.code($0, training: training) }
    }

    func testFittingRanksByTrainingFrequencyAndSendsRareValuesToOOV() {
        let builder = VocabularyBuilder(minCount: 2)
        let codes = ["b", "a", "a", "b", "a", "rare"].map { code(builder, $0) }
        let unseenInTraining = code(builder, "test-only", training: false)
        let (vocabulary, remap) = builder.fit()
        XCTAssertEqual(vocabulary.tokens, ["a", "b"], "most frequent first; 'rare' is below minCount")
        XCTAssertEqual(vocabulary.size, 4, "missing row + OOV row + 2 known values")
        XCTAssertEqual(codes.map { remap[Int($0)] }, [3, 2, 2, 3, 2, Vocabulary.unknownID])
        XCTAssertEqual(remap[Int(unseenInTraining)], Vocabulary.unknownID)
        XCTAssertEqual(remap[Int(Vocabulary.missingID)], Vocabulary.missingID)
    }

    func testLookupAndDecodeAreInverse() throws {
        let vocabulary = Vocabulary(tokens: ["red", "green"])
        XCTAssertEqual(vocabulary.id(of: "green"), 3)
        XCTAssertEqual(vocabulary.token(of: 3), "green")
        XCTAssertEqual(vocabulary.id(of: "blue"), Vocabulary.unknownID)
        XCTAssertNil(vocabulary.token(of: Vocabulary.unknownID))
        let decoded = try JSONDecoder().decode(Vocabulary.self, from: JSONEncoder().encode(vocabulary))
        XCTAssertEqual(decoded.id(of: "red"), 2)
    }

    func testByteStringTableSurvivesGrowth() {
        let table = ByteStringTable()
        let keys = (0..<5000).map { "key-\($0)" }
        let ids = keys.map { key in Array(key.utf8).withUnsafeBufferPointer { table.intern($0, training: true) } }
        XCTAssertEqual(ids, (0..<5000).map(Int32.init))
        XCTAssertEqual(table.trainingCounts(), Array(repeating: 1, count: 5000))
        XCTAssertEqual(Array("key-4321".utf8).withUnsafeBufferPointer { table.intern($0) }, 4321)
        XCTAssertEqual(table.string(at: 1234), "key-1234")
        XCTAssertEqual(table.count, 5000)
    }

    func testByteStringTableTellsApartShortLongAndEmptyKeys() {
        let table = ByteStringTable()
        let long = String(repeating: "x", count: 300)
        let keys = ["", "a", "a\u{0}", "12345678", "123456789", long, long + "y", String(long.dropLast()), "a"]
        let ids = keys.map { key in Array(key.utf8).withUnsafeBufferPointer { table.intern($0, training: key != "a") } }
        XCTAssertEqual(ids, [0, 1, 2, 3, 4, 5, 6, 7, 1])
        XCTAssertEqual(table.string(at: 6), long + "y")
        XCTAssertEqual(table.trainingCounts(), [1, 0, 1, 1, 1, 1, 1, 1])
    }
}
