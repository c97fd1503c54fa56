/// Area under the ROC curve, computed exactly.
public enum AUC {
    /// The probability that a random positive scores above a random negative, ties counting
    /// one half (the Mann–Whitney U statistic divided by `positives × negatives`).
    ///
    /// Labels are positive when above 0.5. Entries whose weight is 0 are skipped; other
    /// weights are ignored. Returns nil when there are no positives or no negatives.
    public static func compute(scores: [Float], labels: [Float], mask: [Float]? = nil) -> Double? {
        precondition(scores.count == labels.count && (mask?.count ?? scores.count) == scores.count,
                     "AUC: scores, labels and mask must have equal lengths")
        var order = Array(scores.indices)
        if let mask { order.removeAll { mask[$0] == 0 } }
        order.sort { scores[$0] < scores[$1] }
        var positives = 0.0, negatives = 0.0, rankSumOfPositives = 0.0
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count && scores[order[end + 1]] == scores[order[start]] { end += 1 }
            // Tied scores share the mean of ranks start+1 … end+1.
            let meanRank = Double(start + end + 2) / 2
            for i in start...end {
                if labels[order[i]] > 0.5 {
                    positives += 1
                    rankSumOfPositives += meanRank
                } else {
                    negatives += 1
                }
            }
            start = end + 1
        }
        guard positives > 0 && negatives > 0 else { return nil }
        return (rankSumOfPositives - positives * (positives + 1) / 2) / (positives * negatives)
    }
}
