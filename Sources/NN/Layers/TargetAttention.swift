import Foundation
import Tensor

/// Pools a sequence into one vector by the attention of a target (the candidate item).
public enum SequencePooling: String, Codable, Sendable {
    /// Scaled dot-product attention of the target over the sequence.
    case targetAttention = "target-attention"
    /// The mean of the real (unmasked) positions.
    case mean

    /// Pools `sequence: [N, L, d]` with `mask: [N, L]` (1 real, 0 padding) for the targets
    /// `target: [N, d]`, giving `[N, d]`. An empty sequence pools to zeros.
    public func callAsFunction(_ sequence: Tensor, mask: Tensor, target: Tensor) -> Tensor {
        let (n, l, d) = (sequence.shape[0], sequence.shape[1], sequence.shape[2])
        let weights: Tensor
        switch self {
        case .targetAttention:
            let scores = sequence.batchedMatmul(target.reshaped([n, d, 1])).reshaped([n, 1, l])
            weights = (scores * (1 / Float(d).squareRoot())).softmax(mask: mask)
        case .mean:
            let counts = mask.sum(axis: 1, keepDims: true).values.map { Swift.max($0, 1) }
            weights = (mask / Tensor(shape: [n, 1], values: counts)).reshaped([n, 1, l])
        }
        return weights.batchedMatmul(sequence).reshaped([n, d])
    }

    /// Pools `copies` blocks of the real positions `packing` holds, `sequence: [copies·R, d]`,
    /// for the targets `target: [N, d]` (mean pooling without one), giving `[copies·N, d]`: the
    /// padded call's values, block by block (``Tensor/pooledSequences(offsets:targets:)``).
    public func callAsFunction(packed sequence: Tensor, _ packing: SequencePacking, target: Tensor?) -> Tensor {
        sequence.pooledSequences(offsets: packing.offsets, targets: self == .targetAttention ? target : nil)
    }
}
