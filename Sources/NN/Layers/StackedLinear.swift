import Tensor

/// K independent fully connected layers applied as one batched product: input
/// `[K, N, inputSize]` → output `[K, N, outputSize]`, layer k acting on slice k — or, sample
/// first, `[N, K, inputSize]` → `[N, K, outputSize]`.
public final class StackedLinear: Module {
    /// The weights, `[K, inputSize, outputSize]`.
    public let weight: Tensor
    /// The biases, `[K, 1, outputSize]`.
    public let bias: Tensor

    /// `count` layers from `inputSize` to `outputSize` features.
    public init(count: Int, inputSize: Int, outputSize: Int, initializer: Initializer = .xavierUniform,
                generator: inout RandomGenerator) {
        weight = initializer.makeParameter([count, inputSize, outputSize], generator: &generator)
        bias = Tensor.zeros([count, 1, outputSize], requiresGrad: true)
    }

    /// Applies layer k to `x[k]`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        x.batchedMatmul(weight) + bias
    }

    /// Applies layer k to every sample's slice `x[:, k]` of `x: [N, K, inputSize]`.
    public func callAsFunction(sampleFirst x: Tensor) -> Tensor {
        x.stackedLinear(weight, bias: bias)
    }
}
