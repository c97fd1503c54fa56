/// Sums values over the replicas of a data-parallel job, for the ops whose statistics span the
/// whole global batch rather than one process's share of it (batch normalisation).
///
/// Every replica runs the same ops in the same order, so each reaches the same call with the
/// same number of values; an implementation sums them elementwise across the processes and
/// hands every replica the same totals. Nothing in this module implements it: the layer above
/// that knows the processes does.
public protocol CrossReplicaSum: AnyObject {
    /// Replaces each element of `values` by its sum over all replicas.
    func sumOverReplicas(_ values: UnsafeMutableBufferPointer<Float>)
}

extension CrossReplicaSum {
    /// The sum of `count` over all replicas (exact below 2²⁴).
    public func sumOverReplicas(_ count: Int) -> Int {
        var value = Float(count)
        withUnsafeMutablePointer(to: &value) { sumOverReplicas(UnsafeMutableBufferPointer(start: $0, count: 1)) }
        return Int(value)
    }
}
