import Foundation

/// Per-task quality of a model on one split.
public struct EvaluationReport: Codable, Sendable, Equatable {
    /// One task's metrics. Ranking metrics are nil when undefined (one class only) and for
    /// regression tasks, which report `mse` instead.
    public struct Task: Codable, Sendable, Equatable {
        public var name: String
        public var auc: Double?
        public var gauc: Double?
        public var logloss: Double?
        public var mse: Double?
        /// Samples scored (weight > 0).
        public var n: Int
        /// The mean label of the scored samples.
        public var labelRate: Double
        /// The mean prediction of the scored samples.
        public var predictionMean: Double
    }

    /// The split evaluated.
    public var split: String
    /// The tasks, in label order.
    public var tasks: [Task]

    /// The mean AUC over tasks that have one.
    public var meanAUC: Double? {
        let aucs = tasks.compactMap(\.auc)
        return aucs.isEmpty ? nil : aucs.reduce(0, +) / Double(aucs.count)
    }

    /// The value of a monitored metric: `mean-auc`, or `auc:<task>`.
    public func value(of monitor: String) throws -> Double? {
        if monitor == "mean-auc" { return meanAUC }
        if monitor.hasPrefix("auc:") {
            let name = String(monitor.dropFirst(4))
            guard let task = tasks.first(where: { $0.name == name }) else {
                throw TrainingError.invalidConfig("monitor names task '\(name)', which is not one of \(tasks.map(\.name))")
            }
            return task.auc
        }
        throw TrainingError.invalidConfig("monitor must be 'mean-auc' or 'auc:<task>', found '\(monitor)'")
    }

    /// An aligned text table, one row per task.
    public var table: String {
        func f(_ v: Double?, _ digits: Int = 4) -> String { v.map { String(format: "%.\(digits)f", $0) } ?? "-" }
        let width = max(4, tasks.map(\.name.count).max() ?? 4)
        var lines = ["\(split.padding(toLength: width, withPad: " ", startingAt: 0))      AUC     GAUC  logloss         n  label rate  pred mean"]
        for t in tasks {
            let name = t.name.padding(toLength: width, withPad: " ", startingAt: 0)
            let columns = [f(t.auc), f(t.gauc), t.mse.map { "mse " + f($0) } ?? f(t.logloss)]
                .map { String(repeating: " ", count: max(0, 8 - $0.count)) + $0 }
            let n = String(t.n)
            lines.append("\(name) \(columns.joined(separator: " ")) \(String(repeating: " ", count: max(0, 9 - n.count)))\(n)     \(f(t.labelRate))     \(f(t.predictionMean))")
        }
        if let mean = meanAUC { lines.append("mean AUC \(f(mean))") }
        return lines.joined(separator: "\n")
    }
}
