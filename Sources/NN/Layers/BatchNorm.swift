import Tensor

/// Batch normalisation of `[..., N, D]` inputs: each feature is standardised over the N
/// samples (separately for every index of the leading axes, so a stack of K experts gets K
/// sets of statistics), then scaled and shifted.
///
/// Training uses the batch statistics and updates running averages (momentum 0.1, unbiased
/// variance, as PyTorch); evaluation uses the running averages. The running averages are
/// buffers (``Module/buffers()``): saved with the parameters, never given a gradient.
public final class BatchNorm: Module {
    /// The scale, `groups + [1, D]` (or `[D]`), initially 1.
    public let gamma: Tensor
    /// The shift, same shape as `gamma`, initially 0.
    public let beta: Tensor
    /// The running mean, same shape as `gamma`.
    public let runningMean: Tensor
    /// The running (unbiased) variance, same shape as `gamma`.
    public let runningVariance: Tensor
    /// The weight of a new batch in the running averages.
    public let momentum: Float
    /// Added to the variance.
    public let epsilon: Float

    /// Batch norm over `features`, with separate statistics for each of `groups` leading
    /// indices (empty for a plain `[N, D]` input).
    public init(features: Int, groups: [Int] = [], momentum: Float = 0.1, epsilon: Float = 1e-5) {
        let shape = groups.isEmpty ? [features] : groups + [1, features]
        gamma = Tensor.full(shape, 1, requiresGrad: true)
        beta = Tensor.zeros(shape, requiresGrad: true)
        runningMean = Tensor.zeros(shape)
        runningVariance = Tensor.full(shape, 1)
        self.momentum = momentum
        self.epsilon = epsilon
    }

    /// Normalises `x: [..., N, D]`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let n = x.shape[x.rank - 2]
        if isTraining && n > 1 {
            updateRunningStatistics(x)
            return x.transposed().standardized(epsilon: epsilon).transposed() * gamma + beta
        }
        let inverseStd = Tensor(shape: runningVariance.shape,
                                values: runningVariance.values.map { 1 / ($0 + epsilon).squareRoot() })
        return (x - runningMean) * (inverseStd * gamma) + beta
    }

    /// Moves the running averages towards the statistics of `x`.
    private func updateRunningStatistics(_ x: Tensor) {
        let (n, d) = (x.shape[x.rank - 2], x.shape[x.rank - 1])
        let groups = x.count / (n * d)
        let (mean, variance) = (runningMean.pointer, runningVariance.pointer)
        for g in 0..<groups {
            for j in 0..<d {
                var sum = 0.0, squares = 0.0
                for i in 0..<n {
                    let v = Double(x[flat: (g * n + i) * d + j])
                    sum += v
                    squares += v * v
                }
                let m = sum / Double(n)
                let unbiased = max(0, (squares - Double(n) * m * m) / Double(n - 1))
                let k = g * d + j
                mean[k] = (1 - momentum) * mean[k] + momentum * Float(m)
                variance[k] = (1 - momentum) * variance[k] + momentum * Float(unbiased)
            }
        }
    }
}
