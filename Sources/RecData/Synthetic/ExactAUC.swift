/// The exact area under the ROC curve of `scores` against binary `labels` (a label above 0.5 is
/// positive): the Mann–Whitney statistic with average ranks, so tied scores count one half.
/// `nil` when the labels hold only one class.
func exactAUC(scores: [Float], labels: [Float]) -> Double? {
    precondition(scores.count == labels.count, "exactAUC needs one label per score")
    let order = scores.indices.sorted { scores[$0] < scores[$1] }
    var positives = 0, positiveRankSum = 0.0
    var start = 0
    while start < order.count {
        var end = start + 1
        while end < order.count && scores[order[end]] == scores[order[start]] { end += 1 }
        let averageRank = Double(start + 1 + end) / 2
        for i in start..<end where labels[order[i]] > 0.5 {
            positives += 1
            positiveRankSum += averageRank
        }
        start = end
    }
    let negatives = scores.count - positives
    guard positives > 0 && negatives > 0 else { return nil }
    let p = Double(positives)
    return (positiveRankSum - p * (p + 1) / 2) / (p * Double(negatives))
}
