import Export
import Foundation
import Models
import XCTest

/// Every zoo model exported and scored by onnxruntime (through scripts/onnx-check.py in the
/// venv .build/python-tools) on the same rows as the Swift model: at most 1e-5 apart per task.
final class ONNXRuntimeTests: XCTestCase {
    static let tolerance = 1e-5

    func testOnnxruntimeMatchesSwiftScoresForEveryModel() throws {
        let python = try venvPython()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("onnx-check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for (name, config) in allExportConfigs {
            for (layoutName, base) in [("synthetic", sequenceLayout), ("census-like", censusLikeLayout)] {
                let layout = layout(base, for: config)
                let model = try ModelZoo.make(config, layout: layout, seed: 11)
                try checkAgainstOnnxruntime(model, label: "\(name) on \(layoutName)", python: python, directory: directory)
            }
        }
    }

    /// Exports `model`, scores a random batch in Swift and with onnxruntime, and asserts the bound.
    func checkAgainstOnnxruntime(_ model: MultiTaskModel, label: String, python: URL, directory: URL) throws {
        let layout = model.layout
        let batch = randomBatch(layout, size: 9, seed: 7)
        let onnxURL = directory.appendingPathComponent("model.onnx")
        try ONNXExporter.write(model, to: onnxURL)
        let scores = model.scores(batch, loss: MultiTaskLoss(tasks: layout.tasks))
        let tasks = layout.tasks.count
        var expected: [String: [Double]] = [:]
        for (t, task) in layout.tasks.enumerated() {
            expected[task.name] = (0..<batch.size).map { Double(scores[$0 * tasks + t]) }
        }
        let caseURL = directory.appendingPathComponent("case.json")
        let json: [String: Any] = ["inputs": inputTensors(batch, layout: layout), "expected": expected]
        try JSONSerialization.data(withJSONObject: json).write(to: caseURL)
        let report = try runOnnxCheck(python: python, [onnxURL.path, caseURL.path], label: label) as? [String: Any]
        let diffs = try XCTUnwrap(report?["maxAbsDiff"] as? [String: Double], label)
        XCTAssertEqual(Set(diffs.keys), Set(layout.tasks.map(\.name)), label)
        for (task, diff) in diffs {
            XCTAssertLessThanOrEqual(diff, Self.tolerance, "\(label): task \(task) differs by \(diff)")
        }
    }
}
