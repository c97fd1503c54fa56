import Tensor

/// A fully connected layer: `y = x · W + b`.
public final class Linear: Module {
    /// The weight, `[inputSize, outputSize]`.
    public let weight: Tensor
    /// The bias, `[outputSize]`, when the layer has one.
    public let bias: Tensor?

    /// A layer from `inputSize` to `outputSize` features, its weight drawn by `initializer`
    /// and its bias zero.
    public init(
        inputSize: Int, outputSize: Int, bias: Bool = true,
        initializer: Initializer = .xavierUniform, generator: inout RandomGenerator
    ) {
        weight = initializer.makeParameter([inputSize, outputSize], generator: &generator)
        self.bias = bias ? Tensor.zeros([outputSize], requiresGrad: true) : nil
    }

    /// Maps `[..., inputSize]` to `[..., outputSize]`.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        bias.map { input.linear(weight, bias: $0) } ?? input.matmul(weight)
    }
}
