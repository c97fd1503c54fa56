/// Group AUC: the AUC within each group (user), averaged with impression weights, as in
/// the DIN paper: `GAUC = Σ_u n_u · AUC_u / Σ_u n_u`, over groups that have both a positive
/// and a negative (others have no AUC and are left out), `n_u` being the group's number of
/// scored samples.
public enum GroupAUC {
    /// The impression-weighted mean of per-group AUCs, or nil when no group has both classes.
    public static func compute<Group: Hashable>(scores: [Float], labels: [Float], groups: [Group], mask: [Float]? = nil) -> Double? {
        precondition(scores.count == labels.count && groups.count == scores.count,
                     "GAUC: scores, labels and groups must have equal lengths")
        // Groups in order of first appearance, so that the sum is the same on every run.
        var slot: [Group: Int] = [:]
        var members: [[Int]] = []
        for i in scores.indices where mask?[i] ?? 1 != 0 {
            if let s = slot[groups[i]] {
                members[s].append(i)
            } else {
                slot[groups[i]] = members.count
                members.append([i])
            }
        }
        var weighted = 0.0, impressions = 0.0
        for rows in members {
            guard let auc = AUC.compute(scores: rows.map { scores[$0] }, labels: rows.map { labels[$0] }) else { continue }
            weighted += Double(rows.count) * auc
            impressions += Double(rows.count)
        }
        return impressions > 0 ? weighted / impressions : nil
    }
}
