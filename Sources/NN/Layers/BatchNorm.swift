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
    public func callAsFunction(_ x: Tensor) -> Tensor { normalized(x, rectified: false) }

    /// `activation(self(x))`; a ReLU runs inside the norm's op, which then keeps one tensor
    /// instead of two and makes one pass fewer each way.
    public func callAsFunction(_ x: Tensor, then activation: Activation) -> Tensor {
        activation == .relu ? normalized(x, rectified: true) : activation(normalized(x, rectified: false))
    }

    private func normalized(_ x: Tensor, rectified: Bool) -> Tensor {
        let n = x.shape[x.rank - 2]
        guard isTraining && n > 1 else {
            return x.batchNormalized(gamma: gamma, beta: beta, statistics: (runningMean, runningVariance),
                                     epsilon: epsilon, rectified: rectified).output
        }
        let (output, mean, variance) = x.batchNormalized(gamma: gamma, beta: beta, epsilon: epsilon,
                                                         rectified: rectified)
        updateRunningStatistics(mean: mean, variance: variance, rows: n)
        return output
    }

    /// Moves the running averages towards a batch's mean and biased variance over `rows` rows
    /// (stored unbiased, as PyTorch does).
    private func updateRunningStatistics(mean: Tensor, variance: Tensor, rows n: Int) {
        let (runningMean, runningVariance) = (runningMean.pointer, runningVariance.pointer)
        let (mean, variance) = (mean.pointer, variance.pointer)
        let correction = Float(n) / Float(n - 1)
        for k in 0..<self.runningMean.count {
            runningMean[k] = (1 - momentum) * runningMean[k] + momentum * mean[k]
            runningVariance[k] = (1 - momentum) * runningVariance[k] + momentum * variance[k] * correction
        }
    }
}

extension BatchNorm {
    /// Whether this norm may be folded into the affine map before it: it normalises with its
    /// running statistics (evaluation) and no gradient tape is recording (scoring).
    public var canFold: Bool { !isTraining && !Autograd.isEnabled }

    /// The affine map `x·W + b` followed by this norm in evaluation, as one affine map:
    /// `W' = W·diag(s)` and `b' = (b − μ)·s + β` with `s = γ / √(σ² + ε)` from the running
    /// statistics. `weight` is `[…, k, n]` with one scale per leading index and column, as
    /// `gamma` holds; the folded bias has `gamma`'s shape.
    func folded(weight: Tensor, bias: Tensor?) -> (weight: Tensor, bias: Tensor) {
        let n = weight.shape[weight.rank - 1], k = weight.shape[weight.rank - 2]
        let groups = weight.count / (k * n)
        precondition(gamma.count == groups * n, "batch norm of \(gamma.count) columns after a \(weight.shape) weight")
        let foldedWeight = Tensor.zeros(weight.shape), foldedBias = Tensor.zeros(gamma.shape)
        let (w, fw, fb) = (weight.pointer, foldedWeight.pointer, foldedBias.pointer)
        let (g, b, m, v) = (gamma.pointer, beta.pointer, runningMean.pointer, runningVariance.pointer)
        let bias = bias?.pointer
        var scales = [Float](repeating: 0, count: n)
        for group in 0..<groups {
            for j in 0..<n {
                let c = group * n + j
                scales[j] = g[c] / (v[c] + epsilon).squareRoot()
                fb[c] = ((bias?[c] ?? 0) - m[c]) * scales[j] + b[c]
            }
            for i in 0..<k {
                let row = (group * k + i) * n
                for j in 0..<n { fw[row + j] = w[row + j] * scales[j] }
            }
        }
        return (foldedWeight, foldedBias)
    }
}

extension Linear {
    /// `activation(norm(self(x)))` (without the norm when there is none); when the norm can be
    /// folded (scoring), one affine map with the norm folded into its weights, and otherwise
    /// a ReLU inside the norm's op.
    public func callAsFunction(_ x: Tensor, then norm: BatchNorm?, activation: Activation = .identity) -> Tensor {
        guard let norm else { return activation(self(x)) }
        guard norm.canFold else { return norm(self(x), then: activation) }
        let (w, b) = norm.folded(weight: weight, bias: bias)
        return activation(x.linear(w, bias: b))
    }

    /// Several layers reading the same input, each followed by its norm when it has one and
    /// its activation, as ``callAsFunction(_:then:activation:)`` computes them one by one, but
    /// through one merged map where that pays (see `Tensor.linears`).
    public static func apply(_ layers: [(layer: Linear, norm: BatchNorm?, activation: Activation)], to x: Tensor) -> [Tensor] {
        let maps = layers.map { layer, norm, _ -> (weight: Tensor, bias: Tensor) in
            if let norm, norm.canFold { return norm.folded(weight: layer.weight, bias: layer.bias) }
            return (layer.weight, layer.bias ?? Tensor.zeros([layer.weight.shape[1]]))
        }
        return zip(x.linears(maps), layers).map { y, layer in
            guard let norm = layer.norm, !norm.canFold else { return layer.activation(y) }
            return norm(y, then: layer.activation)
        }
    }
}

extension StackedLinear {
    /// `activation(norm(self(x)))`, as ``Linear/callAsFunction(_:then:activation:)`` computes
    /// it, the folded form being one batched affine map.
    public func callAsFunction(_ x: Tensor, then norm: BatchNorm?, activation: Activation = .identity) -> Tensor {
        guard let norm else { return activation(self(x)) }
        guard norm.canFold else { return norm(self(x), then: activation) }
        let (w, b) = norm.folded(weight: weight, bias: bias)
        return activation(x.batchedMatmul(w) + b)
    }

    /// `activation(norm(self(sampleFirst: x)))` for `x: [N, K, inputSize]`, the norm keeping
    /// statistics per layer and feature, as ``callAsFunction(_:then:activation:)`` computes it
    /// expert-first.
    public func callAsFunction(sampleFirst x: Tensor, then norm: BatchNorm?, activation: Activation = .identity) -> Tensor {
        guard let norm else { return activation(self(sampleFirst: x)) }
        guard norm.canFold else {
            let y = self(sampleFirst: x)
            return norm(y.reshaped([y.shape[0], -1]), then: activation).reshaped(y.shape)
        }
        let (w, b) = norm.folded(weight: weight, bias: bias)
        return activation(x.stackedLinear(w, bias: b))
    }
}
