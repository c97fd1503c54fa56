import Foundation

/// Mean binary cross-entropy of predicted probabilities.
public enum LogLoss {
    /// `−mean(y log p + (1 − y) log(1 − p))` over unmasked entries, with `p` clipped to
    /// `[1e-7, 1 − 1e-7]`; nil when every entry is masked.
    public static func compute(probabilities: [Float], labels: [Float], mask: [Float]? = nil) -> Double? {
        precondition(probabilities.count == labels.count, "logloss: probabilities and labels must have equal lengths")
        var total = 0.0, n = 0.0
        for i in probabilities.indices where mask?[i] ?? 1 != 0 {
            let p = min(max(Double(probabilities[i]), 1e-7), 1 - 1e-7)
            let y = Double(labels[i])
            total -= y * Foundation.log(p) + (1 - y) * Foundation.log(1 - p)
            n += 1
        }
        return n > 0 ? total / n : nil
    }
}
