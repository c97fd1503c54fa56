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
    /// In a data-parallel job, the sum over the processes: training then normalises with the
    /// statistics of the whole global batch, as one process training on all of it would.
    public var replicas: (any CrossReplicaSum)?

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

    /// `activation(self(x))` for an `x` that nothing else reads (the fresh output of the map
    /// before the norm). A ReLU runs inside the norm's op, which then keeps one tensor instead
    /// of two and makes one pass fewer each way; in scoring — running statistics, no gradient
    /// tape — the norm and the ReLU overwrite `x` instead of allocating their output.
    public func callAsFunction(consuming x: Tensor, then activation: Activation) -> Tensor {
        let rectified = activation == .relu
        let y = normalized(x, rectified: rectified, overwriting: !isTraining && !Autograd.isEnabled)
        return rectified ? y : activation(y)
    }

    private func normalized(_ x: Tensor, rectified: Bool, overwriting: Bool = false) -> Tensor {
        let local = x.shape[x.rank - 2]
        let replicas = isTraining ? self.replicas : nil
        let n = replicas?.sumOverReplicas(local) ?? local
        guard isTraining && n > 1 else {
            return x.batchNormalized(gamma: gamma, beta: beta, statistics: (runningMean, runningVariance),
                                     epsilon: epsilon, rectified: rectified, overwriting: overwriting).output
        }
        let (output, mean, variance) = x.batchNormalized(gamma: gamma, beta: beta, epsilon: epsilon, rectified: rectified,
                                                         replicas: replicas.map { ($0, n) })
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

extension Linear {
    /// `activation(norm(self(x)))` (without the norm when there is none); the norm and a ReLU
    /// after it run as one op, over the product's output itself when scoring, and so do the
    /// map and a ReLU directly after it (`Tensor.rectifiedLinear`).
    public func callAsFunction(_ x: Tensor, then norm: BatchNorm?, activation: Activation = .identity) -> Tensor {
        guard let norm else {
            if activation == .relu, let bias { return x.rectifiedLinear(weight, bias: bias) }
            return activation(self(x))
        }
        return norm(consuming: self(x), then: activation)
    }

    /// Several layers reading the same input, each followed by its norm when it has one and
    /// its activation, as ``callAsFunction(_:then:activation:)`` computes them one by one, but
    /// through one merged map where that pays (see `Tensor.linears`).
    public static func apply(_ layers: [(layer: Linear, norm: BatchNorm?, activation: Activation)], to x: Tensor) -> [Tensor] {
        let maps = layers.map { layer, _, _ in (layer.weight, layer.bias ?? Tensor.zeros([layer.weight.shape[1]])) }
        return zip(x.linears(maps), layers).map { y, layer in
            guard let norm = layer.norm else { return layer.activation(y) }
            return norm(consuming: y, then: layer.activation)
        }
    }
}

extension StackedLinear {
    /// `activation(norm(self(x)))`, as ``Linear/callAsFunction(_:then:activation:)`` computes it.
    public func callAsFunction(_ x: Tensor, then norm: BatchNorm?, activation: Activation = .identity) -> Tensor {
        guard let norm else { return activation(self(x)) }
        return norm(consuming: self(x), then: activation)
    }

    /// `activation(norm(self(sampleFirst: x)))` for `x: [N, K, inputSize]`, the norm keeping
    /// statistics per layer and feature, as ``callAsFunction(_:then:activation:)`` computes it
    /// expert-first.
    public func callAsFunction(sampleFirst x: Tensor, then norm: BatchNorm?, activation: Activation = .identity) -> Tensor {
        guard let norm else { return activation(self(sampleFirst: x)) }
        let y = self(sampleFirst: x)
        return norm(consuming: y.reshaped([y.shape[0], -1]), then: activation).reshaped(y.shape)
    }
}
