import Export
import Foundation
import Models
import Tensor
import XCTest

/// Every zoo model, exported and run by onnxruntime (the Python tools venv), scores the same
/// rows as the Swift model within 1e-5 per task, and passes onnx.checker.
final class ONNXRuntimeAgreementTests: XCTestCase {
    /// The venv's python, or a skip (a failure under CI) when it is missing.
    private func python() throws -> URL {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let python = root.appendingPathComponent(".build/python-tools/bin/python")
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            if ProcessInfo.processInfo.environment["CI"] != nil {
                XCTFail("\(python.path) is missing; scripts/install-python-tools creates it")
            }
            throw XCTSkip("no Python tools venv at \(python.path) (run scripts/install-python-tools)")
        }
        return python
    }

    func testSyntheticLayoutModelsMatchOnnxRuntime() throws {
        try checkAll(on: tinyLayout)
    }

    func testCensusLikeLayoutModelsMatchOnnxRuntime() throws {
        try checkAll(on: censusLikeLayout)
    }

    private func checkAll(on base: FeatureLayout) throws {
        let python = try python()
        let script = python.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/onnx-check.py")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("onnx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for (name, config) in allConfigs {
            let layout = layout(for: config, base: base)
            let model = try ModelZoo.make(config, layout: layout, seed: 11)
            model.eval()
            let batch = randomBatch(layout, size: 9, seed: 5)
            let scores = model.scores(batch, loss: MultiTaskLoss(tasks: layout.tasks))
            let modelFile = folder.appendingPathComponent("\(name).onnx")
            try ONNXExporter.write(model, to: modelFile)
            let caseFile = folder.appendingPathComponent("\(name).json")
            try JSONSerialization.data(withJSONObject: Self.case(batch, layout: layout, scores: scores)).write(to: caseFile)
            let process = Process()
            process.executableURL = python
            process.arguments = [script.path, modelFile.path, caseFile.path, "--tolerance", "1e-5"]
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = pipe
            try process.run()
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, 0, "\(name) on \(base.tasks.count)-task layout:\n\(output)")
        }
    }

    /// The inputs (named as the signature names them) and expected per-task scores.
    private static func `case`(_ batch: ModelBatch, layout: FeatureLayout, scores: [Float]) -> [String: Any] {
        var inputs: [String: Any] = [:]
        let fields = layout.categorical.count
        for (f, field) in layout.categorical.enumerated() {
            inputs[field.name] = (0..<batch.size).map { Int(batch.categorical[$0 * fields + f]) }
        }
        let numeric = batch.numeric.values
        for (j, name) in layout.numeric.enumerated() {
            inputs[name] = (0..<batch.size).map { Double(numeric[$0 * layout.numeric.count + j]) }
        }
        for (s, spec) in layout.sequences.enumerated() { inputs[spec.name] = batch.sequences[s].map(Int.init) }
        let tasks = layout.tasks.count
        var expected: [String: Any] = [:]
        for (t, task) in layout.tasks.enumerated() {
            expected[task.name] = (0..<batch.size).map { Double(scores[$0 * tasks + t]) }
        }
        return ["batch": batch.size, "inputs": inputs, "expected": expected]
    }
}
