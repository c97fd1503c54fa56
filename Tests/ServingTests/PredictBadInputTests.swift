import Foundation
import RecData
import XCTest

/// `dtrn predict` refuses a row with a bad number naming the file, the line and the feature, exits
/// non-zero, and leaves no output file behind.
final class PredictBadInputTests: XCTestCase {
    private func predict(_ rows: String, ext: String) throws -> (status: Int32, log: String, wroteOutput: Bool) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("predict-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("rows.\(ext)")
        let output = folder.appendingPathComponent("scores.csv")
        let log = folder.appendingPathComponent("predict.log")
        try rows.write(to: input, atomically: true, encoding: .utf8)
        let process = try DtrnExecutable.start(
            ["predict", "--checkpoint", ServingFixtures.shop.run.path, "--input", input.path, "--output", output.path], output: log)
        process.waitUntilExit()
        return (process.terminationStatus, try String(contentsOf: log, encoding: .utf8),
                FileManager.default.fileExists(atPath: output.path))
    }

    func testNonFiniteNumbersInJSONLinesAndCSVAreLocatedErrors() throws {
        for text in ["NaN", "-inf", "1e999", "-"] {
            let jsonl = try predict(#"{"user": "u1", "age": 30}"# + "\n" + #"{"user": "u2", "age": "\#(text)"}"# + "\n", ext: "jsonl")
            XCTAssertNotEqual(jsonl.status, 0)
            XCTAssertTrue(jsonl.log.contains("rows.jsonl:2: feature 'age': expected a finite number (magnitude at most 3.4e38), found '\(text)'"), jsonl.log)
            XCTAssertFalse(jsonl.wroteOutput)

            let csv = try predict("user,age\nu1,30\nu2,30\nu3,\(text)\n", ext: "csv")
            XCTAssertNotEqual(csv.status, 0)
            XCTAssertTrue(csv.log.contains("rows.csv:4: feature 'age': expected a finite number"), csv.log)
            XCTAssertFalse(csv.wroteOutput)
        }
    }

    func testAnEmptyNumberIsMissing() throws {
        let csv = try predict("user,age\nu1,\nu2,?\n", ext: "csv")
        XCTAssertEqual(csv.status, 0, csv.log)
        XCTAssertTrue(csv.wroteOutput)
    }
}
