import XCTest
@testable import RecData

final class SchemaTests: XCTestCase {
    private let clicksYAML = """
    name: clicks
    format: {delimiter: ",", header: true}
    features:
      - {name: user, kind: categorical, minCount: 2}
      - {name: price, kind: numeric, transform: log1p}
      - {name: history, kind: sequence, separator: "|", maxLength: 3, vocabulary: item}
      - {name: item, kind: categorical}
    labels:
      - {name: click, kind: binary, column: click}
      - {name: buy, kind: binary, column: buy, mask: {column: click, equals: "1"}}
    groupKey: user
    """

    func testYAMLSchemaReadsEveryRole() throws {
        let schema = try DataSchema.parse(clicksYAML, source: "clicks.yaml")
        XCTAssertEqual(schema.features.map(\.kind), [.categorical, .numeric, .sequence, .categorical])
        XCTAssertEqual(schema.features[0].minCount, 2)
        XCTAssertEqual(schema.features[1].transform, .log1p)
        XCTAssertEqual(schema.features[2].vocabulary, "item")
        XCTAssertEqual(schema.labels[1].mask, MaskCondition(column: "click", equals: "1"))
        XCTAssertEqual(schema.groupKey, "user")
        XCTAssertEqual(schema.format.missing, ["", "?"], "unspecified format keys take their defaults")
    }

    func testYAMLAndJSONRoundTripToTheSameSchema() throws {
        let schema = try DataSchema.parse(clicksYAML, source: "clicks.yaml")
        XCTAssertEqual(try DataSchema.parse(try schema.yaml(), source: "again.yaml"), schema)
        let json = String(decoding: try JSONEncoder().encode(schema), as: UTF8.self)
        XCTAssertEqual(try DataSchema.parse(json, source: "clicks.json", json: true), schema)
        XCTAssertEqual(try DataSchema.parse(json, source: "clicks.json", json: true).fingerprint, schema.fingerprint)
    }

    func testALabelColumnUsedAsAFeatureIsAnError() {
        let yaml = clicksYAML.replacingOccurrences(of: "- {name: item, kind: categorical}", with: "- {name: item, kind: categorical}\n  - {name: click, kind: categorical}")
        XCTAssertDataError(["clicks.yaml", "label 'click'", "also a feature"]) {
            _ = try DataSchema.parse(yaml, source: "clicks.yaml")
        }
    }

    func testIncompleteSchemasNameTheProblem() {
        XCTAssertDataError(["sequence 'history' needs maxLength"]) {
            _ = try DataSchema.parse(clicksYAML.replacingOccurrences(of: ", maxLength: 3", with: ""), source: "s")
        }
        XCTAssertDataError(["shares the vocabulary of 'nothing'"]) {
            _ = try DataSchema.parse(clicksYAML.replacingOccurrences(of: "vocabulary: item", with: "vocabulary: nothing"), source: "s")
        }
        XCTAssertDataError(["features[1]", "kind"]) {
            _ = try DataSchema.parse(clicksYAML.replacingOccurrences(of: "kind: numeric", with: "kind: money"), source: "s")
        }
        XCTAssertDataError(["missing key 'labels'"]) {
            _ = try DataSchema.parse("name: x\nfeatures: [{name: a, kind: categorical}]", source: "s")
        }
        XCTAssertDataError(["needs 'columns'"]) {
            _ = try DataSchema.parse(clicksYAML.replacingOccurrences(of: "header: true", with: "header: false"), source: "s")
        }
        XCTAssertDataError(["feature 'user' is defined twice"]) {
            _ = try DataSchema.parse(clicksYAML.replacingOccurrences(of: "name: item,", with: "name: user,"), source: "s")
        }
    }

    func testYAMLThatWouldTrapYamsIsALocatedError() throws {
        XCTAssertDataError(["s", "6:64: '1:0:0:0:0:0:0:0:0:0:0' is a base-60 integer too large for 64 bits"]) {
            _ = try DataSchema.parse(clicksYAML.replacingOccurrences(of: "maxLength: 3", with: "maxLength: 1:0:0:0:0:0:0:0:0:0:0"), source: "s")
        }
        var bomb = ["a0: &a0 [{name: a, kind: categorical}, {name: a, kind: categorical}, {name: a, kind: categorical}]"]
        for level in 1...12 { bomb.append("a\(level): &a\(level) [*a\(level - 1), *a\(level - 1), *a\(level - 1)]") }
        bomb.append("name: x\nfeatures: *a12\nlabels: [{name: c, kind: binary, column: c}]")
        XCTAssertDataError(["more than 100000 values once aliases are expanded"]) {
            _ = try DataSchema.parse(bomb.joined(separator: "\n"), source: "s")
        }
        let base60 = try DataSchema.parse(clicksYAML.replacingOccurrences(of: "maxLength: 3", with: "maxLength: 1:05"), source: "s")
        XCTAssertEqual(base60.features.first { $0.name == "history" }?.maxLength, 65)
    }

    func testBuiltinSchemasAreValid() throws {
        for dataset in BuiltinDataset.all {
            let schema = try dataset.schema()
            XCTAssertEqual(schema.name, dataset.name)
        }
        let census = try BuiltinDataset.censusIncome.schema()
        let featureColumns = Set(census.features.map(\.sourceColumn))
        XCTAssertFalse(featureColumns.contains("marital_stat"))
        XCTAssertFalse(featureColumns.contains("instance_weight"))
        XCTAssertEqual(census.features.count, 39)
    }

    func testMaskingATaskAddsItsCondition() throws {
        let schema = try BuiltinDataset.aliCCP.schema().maskingTask("purchase", where: "click", equals: "1")
        XCTAssertEqual(schema.labels.first { $0.name == "purchase" }?.mask, MaskCondition(column: "click", equals: "1"))
        XCTAssertDataError(["no task 'cvr'"]) {
            _ = try BuiltinDataset.aliCCP.schema().maskingTask("cvr", where: "click", equals: "1")
        }
    }
}
