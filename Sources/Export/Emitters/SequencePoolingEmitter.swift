import NN

extension ONNXGraphBuilder {
    /// Pools `sequence: [N, L, d]` with `mask: [N, L]` into `[N, 1, d]`: by the target's scaled
    /// dot-product attention over the real positions when `pooling` is target attention and a
    /// target `[N, d]` is given, otherwise by the mean of the real positions. An empty sequence
    /// pools to zeros, as in Swift.
    public func pool(_ sequence: String, mask: String, target: String?, pooling: SequencePooling, width d: Int) -> String {
        let weights: String
        if pooling == .targetAttention, let target {
            let scores = squeeze(matmul(sequence, unsqueeze(target, axes: [2])), axes: [2])
            weights = maskedSoftmax(mul(scores, scalar(1 / Float(d).squareRoot())), mask: mask)
        } else {
            let counts = max(reduceSum(mask, axes: [1], keepDims: true), scalar(1))
            weights = div(mask, counts)
        }
        return matmul(unsqueeze(weights, axes: [1]), sequence)
    }

    /// Softmax over the last axis of `scores` restricted to the positions where `mask`
    /// (broadcasting against `scores`) is 1; a row with no such position gives zeros.
    public func maskedSoftmax(_ scores: String, mask: String) -> String {
        let penalty = mul(sub(mask, scalar(1)), scalar(1e9))
        return mul(softmax(add(scores, penalty)), mask)
    }
}
