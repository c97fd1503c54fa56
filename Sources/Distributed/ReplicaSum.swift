import Tensor

/// Sums the values of batch normalisation's statistics over the processes of a job, on a
/// communicator of its own (its calls come in the middle of the forward and backward passes,
/// while gradient reductions may be in flight on another).
public final class ReplicaSum: CrossReplicaSum {
    private let communicator: Communicator

    /// Sums over the processes of `communicator`.
    public init(_ communicator: Communicator) {
        self.communicator = communicator
    }

    public func sumOverReplicas(_ values: UnsafeMutableBufferPointer<Float>) {
        communicator.sum(values)
    }
}
