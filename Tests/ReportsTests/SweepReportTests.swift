import Foundation
import FoundationXML
import Reports
import XCTest

/// `dtrn report --sweep`: AUC and conflict rate against the conflict level, mean ± std over seeds.
final class SweepReportTests: XCTestCase {
    /// Two variants at two conflict levels, three seeds each; the AUCs are chosen so that the
    /// means and standard deviations are round numbers.
    private let sweep = """
    {"runs": [
      {"conflict": 0, "variant": "mmoe", "seed": 1, "tasks": ["click", "buy"], "testAUC": [0.80, 0.70], "conflictRate": 0.10},
      {"conflict": 0, "variant": "mmoe", "seed": 2, "tasks": ["click", "buy"], "testAUC": [0.82, 0.70], "conflictRate": 0.20},
      {"conflict": 0, "variant": "mmoe", "seed": 3, "tasks": ["click", "buy"], "testAUC": [0.84, 0.70], "conflictRate": 0.30},
      {"conflict": 1, "variant": "mmoe", "seed": 1, "tasks": ["click", "buy"], "testAUC": [0.70, 0.60], "conflictRate": 0.50},
      {"conflict": 1, "variant": "mmoe", "seed": 2, "tasks": ["click", "buy"], "testAUC": [0.75, 0.60], "conflictRate": 0.50},
      {"conflict": 1, "variant": "mmoe", "seed": 3, "tasks": ["click", "buy"], "testAUC": [0.80, 0.60], "conflictRate": 0.50},
      {"conflict": 0, "variant": "dtrn-mmoe", "seed": 1, "tasks": ["click", "buy"], "testAUC": [0.85, 0.72], "conflictRate": 0.10},
      {"conflict": 1, "variant": "dtrn-mmoe", "seed": 1, "tasks": ["click", "buy"], "testAUC": [0.81, 0.66], "conflictRate": 0.20}
    ]}
    """

    private func write(_ text: String) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sweep-\(UUID().uuidString).json")
        try Data(text.utf8).write(to: file)
        addTeardownBlock { try? FileManager.default.removeItem(at: file) }
        return file.path
    }

    func testAUCAndConflictRateAreMeansOverSeedsWithStandardDeviationBars() throws {
        let report = try ReportDocument(SweepReport(sweep: try SweepResults.read(try write(sweep))).html)
        let click = try report.chart("Test AUC: click")
        let series = try report.series(of: click)
        XCTAssertEqual(Set(series.keys), ["mmoe", "dtrn-mmoe"])
        // mmoe: (0.80, 0.82, 0.84) → 0.82 ± 0.02; (0.70, 0.75, 0.80) → 0.75 ± 0.05.
        assertPoints(try XCTUnwrap(series["mmoe"]).drawn, [(0, 0.82), (1, 0.75)], yTolerance: 1e-4)
        assertPoints(try XCTUnwrap(series["dtrn-mmoe"]).drawn, [(0, 0.85), (1, 0.81)], yTolerance: 1e-4)
        let bars = try report.elements("g", under: click).first { $0["data-series"] == "mmoe" }
        let errors = (bars?["data-error"] ?? "").split(separator: " ").compactMap { Double($0) }
        XCTAssertEqual(errors.count, 2)
        XCTAssertEqual(errors[0], 0.02, accuracy: 1e-12)
        XCTAssertEqual(errors[1], 0.05, accuracy: 1e-12)
        XCTAssertEqual(try report.elements("path", under: click).filter { $0["class"] == "error" }.count, 2,
                       "one bar per point with a spread; a single seed draws none")
        let rate = try report.series(of: report.chart("Gradient conflict rate"))
        assertPoints(try XCTUnwrap(rate["mmoe"]).drawn, [(0, 0.2), (1, 0.5)], yTolerance: 1e-4)
    }

    func testAMalformedSweepIsAClearError() throws {
        XCTAssertThrowsError(try SweepResults.read(try write("{\"runs\": [{\"conflict\": 0}]}"))) {
            XCTAssertTrue("\($0)".contains("not a sweep"), "\($0)")
        }
        let mismatched = "{\"runs\": [{\"conflict\": 0, \"variant\": \"mmoe\", \"seed\": 1, \"tasks\": [\"a\", \"b\"], \"testAUC\": [0.5]}]}"
        XCTAssertThrowsError(try SweepResults.read(try write(mismatched))) {
            XCTAssertTrue("\($0)".contains("2 tasks but 1 AUCs"), "\($0)")
        }
        XCTAssertThrowsError(try SweepResults.read("/nonexistent/sweep.json")) {
            XCTAssertTrue("\($0)".contains("no such file"), "\($0)")
        }
    }
}
