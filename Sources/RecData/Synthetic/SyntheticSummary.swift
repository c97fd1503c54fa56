import RecMetrics
import Foundation

/// One task's label statistics on one split, with the AUCs every model's AUC is read against.
public struct SyntheticTaskStatistics: Equatable, Sendable {
    /// The task name.
    public let task: String
    /// Fraction of positive labels.
    public let positiveRate: Double
    /// AUC of the oracle logits (`nil` if the split holds one class only).
    public let oracleAUC: Double?
    /// AUC of the learnable-ceiling scores (`nil` if the split holds one class only).
    public let ceilingAUC: Double?
}

extension SyntheticSplit {
    /// Positive rate, oracle AUC and ceiling AUC of every task.
    public func taskStatistics() -> [SyntheticTaskStatistics] {
        labels.map { label in
            SyntheticTaskStatistics(
                task: label.name,
                positiveRate: rowCount > 0 ? Double(label.values.reduce(0, +)) / Double(rowCount) : 0,
                oracleAUC: AUC.compute(scores: label.oracleLogits, labels: label.values),
                ceilingAUC: AUC.compute(scores: label.ceilingScores, labels: label.values))
        }
    }
}

extension SyntheticDataset {
    /// A readable account of the data: sizes, vocabularies, which task reads which context field,
    /// the tasks' ceiling-score correlations, and positive rate, oracle and ceiling AUC per task and
    /// split.
    public var summary: String {
        let rates = config.resolvedPositiveRates
        var lines = [
            "synthetic data: seed \(config.seed), conflict \(format(config.conflict, 2)), "
                + "\(config.tasks) tasks, \(config.behaviours) behaviour types × \(config.sequenceLength) slots",
            "rows: " + namedSplits.map { "\($0.name) \($0.split.rowCount)" }.joined(separator: ", "),
        ]
        let fieldNames = train.categorical.map(\.name).dropFirst(3) + train.numeric.map(\.name).prefix(config.denseFields)
        lines.append(
            "categorical: " + train.categorical.prefix(3).map { "\($0.name) \($0.vocabularySize)" }.joined(separator: ", "))
        lines.append(
            "context fields: "
                + fieldNames.enumerated().map { f, name in
                    let vocabulary = f < config.contextVocabularies.count ? " \(config.contextVocabularies[f])" : ""
                    let reader = config.contextFieldOwner(f).map { "task_\($0)" } ?? "noise"
                    return "\(name)\(vocabulary) → \(reader)"
                }.joined(separator: ", "))
        lines.append(
            "shared fields (every task's shared part, \(config.ridges) sine ridges of frequency "
                + "\(format(config.ridgeFrequency, 1)), \(Int((config.conflict * Double(config.ridges)).rounded())) "
                + "of them task-specific): shared_0…shared_\(config.sharedFields - 1)")
        if config.tasks > 1 {
            let scores = train.labels.map(\.ceilingScores)
            lines.append(
                "ceiling-score correlation (train): "
                    + (0..<config.tasks).flatMap { s in
                        (s + 1..<config.tasks).map { t in
                            "\(train.labels[s].name)~\(train.labels[t].name) \(format(correlation(scores[s], scores[t]), 3))"
                        }
                    }.joined(separator: ", "))
        }
        lines.append("task        split       target  positive  oracle AUC  ceiling AUC")
        for (name, split) in namedSplits {
            for (t, statistics) in split.taskStatistics().enumerated() {
                lines.append(
                    pad(statistics.task, 12) + pad(name, 12) + pad(format(rates[t], 3), 8)
                        + pad(format(statistics.positiveRate, 3), 10) + pad(format(statistics.oracleAUC, 4), 12)
                        + format(statistics.ceilingAUC, 4))
            }
        }
        return lines.joined(separator: "\n")
    }
}

/// Pearson correlation of two equally long series (0 if either is constant).
func correlation(_ x: [Float], _ y: [Float]) -> Double {
    let n = Double(x.count)
    let meanX = x.reduce(0.0) { $0 + Double($1) } / n, meanY = y.reduce(0.0) { $0 + Double($1) } / n
    var sxy = 0.0, sxx = 0.0, syy = 0.0
    for (a, b) in zip(x, y) {
        let (dx, dy) = (Double(a) - meanX, Double(b) - meanY)
        sxy += dx * dy; sxx += dx * dx; syy += dy * dy
    }
    return sxx > 0 && syy > 0 ? sxy / (sxx * syy).squareRoot() : 0
}

private func format(_ value: Double?, _ decimals: Int) -> String {
    value.map { String(format: "%.\(decimals)f", $0) } ?? "–"
}

private func pad(_ text: String, _ width: Int) -> String {
    text.padding(toLength: max(width, text.count + 1), withPad: " ", startingAt: 0)
}
