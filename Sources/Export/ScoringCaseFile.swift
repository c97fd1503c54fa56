import Foundation
import Models
import NN

/// A batch and a model's scores on it as the JSON case `scripts/onnx-check.py` reads —
/// `{"inputs": {name: {"dtype", "shape", "values"}}, "expected": {task: [score]}}`, the inputs
/// named and shaped as ``ModelSignature`` — so that another runtime scores the same rows.
public enum ScoringCaseFile {
    /// Writes `batch` (sequences left-padded to `layout`'s lengths) and `scores` (`[size, tasks]`
    /// row-major) to `url`, atomically.
    public static func write(_ batch: ModelBatch, scores: [Float], layout: FeatureLayout, to url: URL) throws {
        let size = batch.size, fields = layout.categorical.count, numerics = layout.numeric.count
        var inputs: [String: Any] = [:]
        for (f, field) in layout.categorical.enumerated() {
            inputs[field.name] = ["dtype": "int64", "shape": [size], "values": (0..<size).map { Int(batch.categorical[$0 * fields + f]) }]
        }
        for (j, name) in layout.numeric.enumerated() {
            inputs[name] = ["dtype": "float32", "shape": [size],
                            "values": (0..<size).map { Double(batch.numeric.values[$0 * numerics + j]) }]
        }
        for (s, spec) in layout.sequences.enumerated() {
            let width = size == 0 ? spec.length : batch.sequences[s].count / size
            let ids = batch.sequences[s]
            var values: [Int] = []
            values.reserveCapacity(size * spec.length)
            for row in 0..<size {
                values += repeatElement(0, count: spec.length - width)
                values += ids[(row * width)..<((row + 1) * width)].map { Int($0) }
            }
            inputs[spec.name] = ["dtype": "int64", "shape": [size, spec.length], "values": values]
        }
        var expected: [String: [Double]] = [:]
        for (t, task) in layout.tasks.enumerated() {
            expected[task.name] = stride(from: t, to: scores.count, by: layout.tasks.count).map { Double(scores[$0]) }
        }
        let data = try JSONSerialization.data(withJSONObject: ["inputs": inputs, "expected": expected], options: [.sortedKeys])
        try AtomicFile.write(data, to: url)
    }
}
