import Foundation
import Training
import XCTest

/// `dtrn train --config` files: settings over the defaults, and a located error, never a trap,
/// for documents that are valid YAML but not a configuration.
final class RunConfigFileTests: XCTestCase {
    /// The message of the error `text` raises, or a failure when it raises none.
    private func message(of text: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            _ = try RunConfigFile(text: text, path: "run.yaml")
            XCTFail("expected an error", file: file, line: line)
            return ""
        } catch TrainingError.invalidConfig(let message) {
            return message
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
            return ""
        }
    }

    func testSettingsReplaceTheDefaultsAndAliasesExpand() throws {
        let config = try RunConfigFile(text: """
            model:
              model: mmoe
              expertHidden: &layers [16, 8]
              towerHidden: *layers
            training:
              epochs: 5
              learningRate: 0.01
            """, path: "run.yaml")
        XCTAssertEqual(config.model.model, "mmoe")
        XCTAssertEqual(config.model.expertHidden, [16, 8])
        XCTAssertEqual(config.model.towerHidden, [16, 8])
        XCTAssertEqual(config.training.epochs, 5)
        XCTAssertEqual(config.training.learningRate, 0.01)
        XCTAssertEqual(config.training.batchSize, TrainingConfig().batchSize)
    }

    func testAJSONFileReadsLikeYAML() throws {
        let config = try RunConfigFile(text: #"{"training": {"epochs": 2}, "model": {"model": "ple"}}"#, path: "run.json")
        XCTAssertEqual(config.training.epochs, 2)
        XCTAssertEqual(config.model.model, "ple")
    }

    func testAListAsAKeyIsALocatedError() {
        XCTAssertEqual(message(of: "model: {[16, 8]: 4}\n"), "run.yaml:1:9: a key must be a plain name, not a list or mapping")
    }

    func testNestedAliasesCannotExpandWithoutBound() {
        var lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
        for level in 1...9 {
            let previous = "*a\(level - 1)"
            lines.append("a\(level): &a\(level) [\(Array(repeating: previous, count: 10).joined(separator: ", "))]")
        }
        XCTAssertTrue(message(of: lines.joined(separator: "\n")).contains("more than 100000 values once aliases are expanded"))
    }

    func testANonFiniteNumberIsALocatedError() {
        XCTAssertEqual(message(of: "training:\n  learningRate: .nan\n"), "run.yaml:2:17: '.nan' is not a finite number")
        XCTAssertEqual(message(of: "training:\n  learningRate: 1e999\n"), "run.yaml:2:17: '1e999' is not a finite number")
    }

    func testABase60IntegerBeyond64BitsIsALocatedError() {
        XCTAssertEqual(message(of: "training:\n  epochs: 1:0:0:0:0:0:0:0:0:0:0\n"),
                       "run.yaml:2:11: '1:0:0:0:0:0:0:0:0:0:0' is a base-60 integer too large for 64 bits")
        XCTAssertEqual(try RunConfigFile(text: "training:\n  epochs: 1:30\n", path: "run.yaml").training.epochs, 90)
    }

    func testUnknownKeysAndWrongTypesAreNamed() {
        XCTAssertTrue(message(of: "training:\n  epoch: 3\n").contains("unknown key 'epoch' in section 'training'"))
        XCTAssertEqual(message(of: "training:\n  epochs: many\n"), "run.yaml: 'training.epochs' should be Int")
        XCTAssertEqual(message(of: "- model\n"), "run.yaml: expected a mapping with 'model' and/or 'training' sections")
    }

    /// Every input that once crashed the config fuzz target (Fuzz/Crashes/config-*) is an error now.
    func testFuzzerCrashInputsAreErrors() throws {
        let crashes = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Fuzz/Crashes").standardized
        let inputs = try FileManager.default.contentsOfDirectory(atPath: crashes.path).filter { $0.hasPrefix("config-") }
        XCTAssertFalse(inputs.isEmpty)
        for name in inputs {
            let bytes = try Data(contentsOf: crashes.appendingPathComponent(name))
            XCTAssertThrowsError(try RunConfigFile(text: String(decoding: bytes, as: UTF8.self), path: name), name)
        }
    }
}
