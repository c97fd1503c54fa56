import Foundation
import Models
import RecData
import Tensor

/// Where a model routes, averaged over a split: per task, how its gates weigh the experts
/// (expert utilisation and gate entropy) and, for DTRN, how its TRM gate weighs every
/// field ("field importance per task"). Written by `dtrn eval --explain`.
public struct RoutingExplanation: Codable, Sendable, Equatable {
    /// One gate's weights averaged over the split.
    public struct Gate: Codable, Sendable, Equatable {
        /// The gate, e.g. `MMoE gate`, `PLE level 1 task gate`, `TRM field gate`.
        public var gate: String
        /// `experts` (softmax weights, summing to 1) or `fields` (one sigmoid weight each).
        public var kind: GateReading.Kind
        /// The task routed, or nil for a gate of the shared path.
        public var task: String?
        /// The experts or fields weighed.
        public var labels: [String]
        /// Each label's weight averaged over the split's rows.
        public var meanWeights: [Double]
        /// For expert gates: the per-row entropy of the weights averaged over the rows, in nats
        /// (0: one expert per row; `ln K`: every row spreads evenly).
        public var meanEntropy: Double?
        /// For expert gates: `ln K`, the entropy of an even spread.
        public var maximumEntropy: Double?

        /// The labels by weight, heaviest first.
        public var ranking: [String] {
            labels.indices.sorted { meanWeights[$0] > meanWeights[$1] }.map { labels[$0] }
        }
    }

    /// The model explained.
    public var model: String
    /// The split averaged over.
    public var split: String
    /// Its rows.
    public var rows: Int
    /// Every gate, in the order the model applies them.
    public var gates: [Gate]

    /// The gates named `gate`.
    public func gates(named gate: String) -> [Gate] { gates.filter { $0.gate == gate } }

    /// Averages the gates of `model` over `split`. Throws for a model without gates.
    public static func measure(_ model: MultiTaskModel, name: String, split: EncodedSplit, schema: DatasetSchema,
                               splitName: String, batchSize: Int = 4096) throws -> RoutingExplanation {
        guard let inspectable = model as? any RoutingInspectable else {
            throw TrainingError.invalidConfig("model '\(name)' has no gates to explain; --explain covers dtrn, mmoe, omoe, cgc and ple")
        }
        model.eval()
        defer { model.train() }
        var iterator = BatchIterator(split: split, schema: schema, batchSize: batchSize, shuffle: false)
        var batch = iterator.makeBatch()
        var gates: [Gate] = [], sums: [[Double]] = [], entropy: [Double] = []
        while iterator.next(into: &batch) {
            let readings = Autograd.inference { inspectable.gateReadings(TrainingBatch(batch).inputs) }
            if gates.isEmpty {
                gates = readings.map {
                    Gate(gate: $0.gate, kind: $0.kind, task: $0.task, labels: $0.labels, meanWeights: [],
                         meanEntropy: nil, maximumEntropy: $0.kind == .experts ? log(Double($0.labels.count)) : nil)
                }
                sums = readings.map { [Double](repeating: 0, count: $0.labels.count) }
                entropy = [Double](repeating: 0, count: readings.count)
            }
            for (g, reading) in readings.enumerated() {
                let k = reading.labels.count, w = reading.weights.values
                for r in 0..<batch.size {
                    var h = 0.0
                    for j in 0..<k {
                        let v = Double(w[r * k + j])
                        sums[g][j] += v
                        if v > 0 { h -= v * log(v) }
                    }
                    entropy[g] += h
                }
            }
        }
        guard !gates.isEmpty else {
            throw TrainingError.invalidConfig(split.rowCount == 0
                ? "the \(splitName) split has no rows to explain"
                : "model '\(name)' has no gates to explain; --explain covers dtrn, mmoe, omoe, cgc and ple")
        }
        let rows = Double(split.rowCount)
        for g in gates.indices {
            gates[g].meanWeights = sums[g].map { $0 / rows }
            if gates[g].kind == .experts { gates[g].meanEntropy = entropy[g] / rows }
        }
        return RoutingExplanation(model: name, split: splitName, rows: split.rowCount, gates: gates)
    }
}
