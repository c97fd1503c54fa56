import Distributed
import Foundation
import RecMetrics
import Models
import RecData
import Tensor

/// Scores a split with a model in inference mode and computes every task's metrics.
///
/// In a data-parallel job each process scores its contiguous part of the split; rank 0
/// gathers every score and computes the metrics on the whole split — exactly those of one
/// process, not an average of per-process metrics — and sends the report to the others.
public struct Evaluator {
    /// Samples per scoring batch.
    public var batchSize: Int
    /// The processes scoring together.
    public var group: ProcessGroup

    /// An evaluator scoring `batchSize` samples at a time, shared by the processes of `group`.
    public init(batchSize: Int = 4096, group: ProcessGroup = .single) {
        self.batchSize = batchSize
        self.group = group
    }

    /// Every sample's predicted probability (or value, for regression tasks), `[rows × T]`
    /// row-major in split order, of `rows` of the split (all by default).
    public func predict(_ model: MultiTaskModel, split: EncodedSplit, schema: DatasetSchema, rows: Range<Int>? = nil) -> [Float] {
        model.eval()
        defer { model.train() }
        var iterator = BatchIterator(split: split, schema: schema, batchSize: batchSize, shuffle: false, rows: rows)
        var batch = iterator.makeBatch()
        let loss = MultiTaskLoss(tasks: model.layout.tasks)
        var scores: [Float] = []
        scores.reserveCapacity(iterator.rows.count * schema.tasks.count)
        while iterator.next(into: &batch) {
            let inputs = TrainingBatch(batch).inputs
            scores.append(contentsOf: model.scores(inputs, loss: loss))
        }
        return scores
    }

    /// The metrics of `model` on `split`.
    public func evaluate(_ model: MultiTaskModel, split: EncodedSplit, schema: DatasetSchema, name: String) -> EvaluationReport {
        guard let communicator = group.communicator else {
            return Self.report(scores: predict(model, split: split, schema: schema), split: split, schema: schema, name: name)
        }
        let parts = (0..<group.size).map { BatchShard(index: $0, count: group.size).part(of: split.rowCount) }
        let local = predict(model, split: split, schema: schema, rows: parts[group.rank])
        let scores = communicator.gather(local, counts: parts.map { $0.count * schema.tasks.count })
        let (encoder, decoder) = (JSONEncoder(), JSONDecoder())
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        var encoded: [UInt8] = []
        if group.isLeader {
            let report = Self.report(scores: scores, split: split, schema: schema, name: name)
            encoded = Array((try? encoder.encode(report)) ?? Data())
        }
        let shared = communicator.broadcast(encoded)
        guard let report = try? decoder.decode(EvaluationReport.self, from: Data(shared)) else {
            communicator.abort("could not decode the evaluation report rank 0 sent")
        }
        return report
    }

    /// The metrics of precomputed `scores` (`[rows × T]`) on `split`.
    public static func report(scores: [Float], split: EncodedSplit, schema: DatasetSchema, name: String) -> EvaluationReport {
        let t = schema.tasks.count, rows = split.rowCount
        let labels = split.labels.array, weights = split.labelWeights.array
        let groups = split.groups?.array ?? [Int32](repeating: 0, count: rows)
        let tasks = schema.tasks.enumerated().map { k, task -> EvaluationReport.Task in
            let column = (0..<rows).map { $0 * t + k }
            let s = column.map { scores[$0] }, y = column.map { labels[$0] }, w = column.map { weights[$0] }
            let scored = w.indices.filter { w[$0] > 0 }
            let n = scored.count
            let labelRate = n > 0 ? scored.reduce(0.0) { $0 + Double(y[$1]) } / Double(n) : 0
            let predictionMean = n > 0 ? scored.reduce(0.0) { $0 + Double(s[$1]) } / Double(n) : 0
            if task.kind == .regression {
                let mse = n > 0 ? scored.reduce(0.0) { $0 + Double((s[$1] - y[$1]) * (s[$1] - y[$1])) } / Double(n) : nil
                return .init(name: task.name, auc: nil, gauc: nil, logloss: nil, mse: mse, n: n,
                             labelRate: labelRate, predictionMean: predictionMean)
            }
            return .init(
                name: task.name,
                auc: AUC.compute(scores: s, labels: y, mask: w),
                gauc: split.groups == nil ? nil : GroupAUC.compute(scores: s, labels: y, groups: groups, mask: w),
                logloss: LogLoss.compute(probabilities: s, labels: y, mask: w), mse: nil,
                n: n, labelRate: labelRate, predictionMean: predictionMean)
        }
        return EvaluationReport(split: name, tasks: tasks)
    }
}
