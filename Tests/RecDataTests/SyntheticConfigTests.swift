import Foundation
import XCTest

@testable import RecData

final class SyntheticConfigTests: XCTestCase {
    func testTheDefaultsAreValidAndEndWithASparseTask() throws {
        let config = SyntheticConfig()
        XCTAssertNoThrow(try config.validate())
        XCTAssertEqual(config.resolvedPositiveRates, [0.3, 0.15, 0.04])
        XCTAssertEqual(SyntheticConfig.defaultPositiveRates(tasks: 1), [0.3])
    }

    func testDecodingKeepsTheDefaultsOfMissingKeys() throws {
        let json = Data(#"{"conflict": 1, "tasks": 2, "seed": 9}"#.utf8)
        let config = try JSONDecoder().decode(SyntheticConfig.self, from: json)
        var expected = SyntheticConfig()
        expected.conflict = 1
        expected.tasks = 2
        expected.seed = 9
        XCTAssertEqual(config, expected)
        XCTAssertEqual(config.resolvedPositiveRates, [0.3, 0.04])
    }

    func testEncodingRoundTrips() throws {
        var config = SyntheticConfig()
        config.positiveRates = [0.5, 0.2, 0.05]
        config.contextVocabularies = [3]
        let decoded = try JSONDecoder().decode(SyntheticConfig.self, from: JSONEncoder().encode(config))
        XCTAssertEqual(decoded, config)
    }

    func testValidationNamesTheSettingOutOfRange() {
        var config = SyntheticConfig()
        config.conflict = 1.5
        XCTAssertThrowsError(try SyntheticGenerator(config: config)) { error in
            XCTAssertTrue("\(error)".contains("conflict"), "\(error)")
        }
        config = SyntheticConfig()
        config.positiveRates = [0.5, 0.1]
        XCTAssertThrowsError(try config.validate()) { error in
            XCTAssertTrue("\(error)".contains("positiveRates"), "\(error)")
        }
        config = SyntheticConfig()
        config.relevanceSharpness = -1
        XCTAssertThrowsError(try config.validate()) { error in
            XCTAssertTrue("\(error)".contains("relevanceSharpness"), "\(error)")
        }
        config = SyntheticConfig()
        config.minimumSequenceLength = 21
        XCTAssertThrowsError(try config.validate()) { error in
            XCTAssertTrue("\(error)".contains("minimumSequenceLength"), "\(error)")
        }
    }

    func testEveryFourthContextFieldIsNoiseForThreeTasks() {
        let config = SyntheticConfig()
        XCTAssertEqual((0..<8).map(config.contextFieldOwner), [0, 1, 2, nil, 0, 1, 2, nil])
    }
}
