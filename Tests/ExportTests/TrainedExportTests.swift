import Export
import Foundation
import Models
import RecData
import Training
import XCTest

/// Every zoo model trained briefly, on synthetic data with sequences and on a Census-like CSV,
/// exported as `dtrn export` exports a run, and scored by onnxruntime on raw rows that
/// `scripts/sidecar_encoder.py` encodes from the sidecar JSON alone: the encoded tensors equal
/// the checkpoint's own row encoding, the scores are at most 1e-5 from `dtrn predict`'s, and
/// onnx.checker's full check passes.
final class TrainedExportTests: XCTestCase {
    static let tolerance = 1e-5

    func testSidecarEncodedRawRowsScoreAsDtrnPredictForEveryTrainedModel() throws {
        let python = try venvPython()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("trained-export-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let synthetic = try TrainedExportData.synthetic(tasks: 3)
        let syntheticFunnel = try TrainedExportData.synthetic(tasks: 2)
        let census = try TrainedExportData.censusLike(in: directory.appendingPathComponent("census-like"))

        var cases: [[String: Any]] = []
        var expectations: [String: (tasks: [String], inputs: [String: [Float]])] = [:]
        for (name, config) in allExportConfigs {
            for data in [config.model == "esmm" ? syntheticFunnel : synthetic, census] {
                let label = "\(name) on \(data.name)"
                let folder = directory.appendingPathComponent("\(name)-\(data.name)")
                let run = try train(data, model: config, in: folder)
                let model = folder.appendingPathComponent("model.onnx"), sidecar = folder.appendingPathComponent("model.onnx.json")
                try CheckpointExport.write(checkpoint: run.path, model: model, sidecar: sidecar)
                let rows = folder.appendingPathComponent("rows.jsonl")
                try data.rows.joined(separator: "\n").write(to: rows, atomically: true, encoding: .utf8)
                let (scores, inputs, tasks) = try predicted(rows, checkpoint: run)
                var expected: [String: [Double]] = [:]
                for (t, task) in tasks.enumerated() {
                    expected[task] = stride(from: t, to: scores.count, by: tasks.count).map { Double(scores[$0]) }
                }
                cases.append(["label": label, "model": model.path, "sidecar": sidecar.path, "rows": rows.path, "expected": expected])
                expectations[label] = (tasks, inputs)
            }
        }
        let manifest = directory.appendingPathComponent("cases.json")
        try JSONSerialization.data(withJSONObject: cases).write(to: manifest)
        let reports = try XCTUnwrap(try runOnnxCheck(python: python, ["--raw", manifest.path], label: "raw rows") as? [[String: Any]])
        XCTAssertEqual(reports.count, cases.count)
        for report in reports {
            let label = try XCTUnwrap(report["label"] as? String)
            let expectation = try XCTUnwrap(expectations[label], label)
            let inputs = try XCTUnwrap(report["inputs"] as? [String: [Double]], label)
            XCTAssertEqual(Set(inputs.keys), Set(expectation.inputs.keys), label)
            // Compared as float32, what the tensors hold: Foundation's JSON reader may round
            // the last digit of a double.
            for (name, values) in expectation.inputs {
                XCTAssertEqual(inputs[name]?.map(Float.init), values, "\(label): input \(name) encoded differently from the sidecar")
            }
            let diffs = try XCTUnwrap(report["maxAbsDiff"] as? [String: Double], label)
            XCTAssertEqual(Set(diffs.keys), Set(expectation.tasks), label)
            for (task, diff) in diffs {
                XCTAssertLessThanOrEqual(diff, Self.tolerance, "\(label): task \(task) differs from dtrn predict by \(diff)")
            }
        }
    }

    /// A run folder of `model` trained one epoch on `data`.
    private func train(_ data: TrainedExportData, model: ModelConfig, in folder: URL) throws -> URL {
        var t = TrainingConfig()
        (t.epochs, t.batchSize, t.learningRate, t.patience) = (1, 64, 0.01, 0)
        let run = folder.appendingPathComponent("run")
        let trainer = try Trainer(dataset: data.dataset, modelConfig: model, config: t, dataSource: data.name,
                                  synthetic: data.synthetic, run: RunDirectory(run), reporter: ProgressReporter(quiet: true))
        _ = try trainer.fit()
        return run
    }

    /// What `dtrn predict --checkpoint run --input rows` computes — each line decoded as a raw
    /// row, encoded with the checkpoint's row encoder, all rows scored in one batch — with the
    /// encoded rows as the graph's input tensors (sequences left-padded) and the task names.
    private func predicted(_ rows: URL, checkpoint run: URL) throws -> ([Float], [String: [Float]], [String]) {
        let folder = try RunDirectory.resolveCheckpoint(run.path)
        let saved = try Checkpoint.read(folder)
        let encoder = RowEncoder(schema: saved.schema, encoder: saved.encoder)
        let predictor = Predictor(model: try saved.loadModel(from: folder), schema: saved.schema)
        let lines = try String(contentsOf: rows, encoding: .utf8).split(separator: "\n")
        let encoded = try lines.map { try encoder.encode(JSONDecoder().decode([String: RawValue].self, from: Data($0.utf8))) }
        let schema = saved.schema
        var inputs: [String: [Float]] = [:]
        for (i, field) in schema.categorical.enumerated() { inputs[field.name] = encoded.map { Float($0.categorical[i]) } }
        for (i, field) in schema.numeric.enumerated() { inputs[field.name] = encoded.map { $0.numeric[i] } }
        for (s, field) in schema.sequences.enumerated() {
            inputs[field.name] = encoded.flatMap { row in
                Array(repeating: 0, count: field.maxLength - row.sequences[s].count) + row.sequences[s].map(Float.init)
            }
        }
        return (predictor.predict(encoded), inputs, schema.tasks.map(\.name))
    }
}
