import RecData
import Training
import XCTest

/// The row encoder behind `dtrn predict` and the server never hands the model a NaN or an
/// infinity: a number is refused when it is not finite, or when its encoded value is not.
final class RowEncoderTests: XCTestCase {
    private let schema = DatasetSchema(
        name: "tiny", categorical: [], numeric: [.init(name: "x")], sequences: [], tasks: [.init(name: "y", kind: .binary)],
        groupKey: nil)

    func testAValueWhoseTransformOverflowsIsRefused() throws {
        // Training values all but constant: a standard deviation of 1e-38 sends 1000 beyond Float32.
        let transform = NumericTransform(kind: .standardize, mean: 0, standardDeviation: 1e-38, minimum: 0, maximum: 0)
        let encoder = FeatureEncoder(schema: schema, missingValues: [""], trimWhitespace: false, categorical: [],
                                     numeric: [.init(name: "x", transform: transform)], sequences: [], vocabularies: [])
        let rows = RowEncoder(schema: schema, encoder: encoder)
        XCTAssertEqual(try rows.encode(["x": .number(0)]).numeric, [0])
        XCTAssertThrowsError(try rows.encode(["x": .number(1000)])) { error in
            XCTAssertEqual("\(error)", "feature 'x': expected a number whose encoded value is finite, found 1000.0")
        }
    }

    func testDataBornEncodedRefusesNumbersBeyondFloat() throws {
        let rows = RowEncoder(schema: schema, encoder: nil)
        XCTAssertEqual(try rows.encode(["x": .string("2.5")]).numeric, [2.5])
        for value: RawValue in [.number(1e300), .string("1e39")] {
            XCTAssertThrowsError(try rows.encode(["x": value]), "\(value)")
        }
        XCTAssertThrowsError(try rows.encode(["x": .string("nan")]))
    }
}
