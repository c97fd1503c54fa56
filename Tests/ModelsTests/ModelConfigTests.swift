import Foundation
import Models
import XCTest

final class ModelConfigTests: XCTestCase {
    func testMissingKeysKeepTheirDefaults() throws {
        let decoded = try JSONDecoder().decode(ModelConfig.self, from: Data(#"{"model": "mmoe", "expertCount": 8}"#.utf8))
        var expected = ModelConfig()
        expected.model = "mmoe"
        expected.expertCount = 8
        XCTAssertEqual(decoded, expected)
    }

    func testEncodingRoundTrips() throws {
        var config = ModelConfig()
        config.backbone = "ple"
        config.initialization = .pytorch
        config.towerHidden = [8]
        XCTAssertEqual(try JSONDecoder().decode(ModelConfig.self, from: JSONEncoder().encode(config)), config)
    }

    func testAValueOfTheWrongTypeIsAnError() {
        XCTAssertThrowsError(try JSONDecoder().decode(ModelConfig.self, from: Data(#"{"expertCount": "eight"}"#.utf8)))
    }
}
