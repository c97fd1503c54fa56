import NN
import Tensor

/// Fully connected layers in ONNX: `Linear` as MatMul + Add, activations, batch norm with its
/// running statistics (evaluation mode), `MLP` blocks (dropout is the identity in scoring).
extension ONNXGraphBuilder {
    /// A tensor's values as an initializer of its own shape.
    public func constant(_ tensor: Tensor) -> String {
        constant(tensor.values, shape: tensor.shape)
    }

    /// `x · W + b` over the last axis of `x`.
    public func linear(_ layer: Linear, _ x: String) -> String {
        let product = matmul(x, constant(layer.weight))
        return layer.bias.map { add(product, constant($0)) } ?? product
    }

    /// The nonlinearity `activation` (GELU in its tanh form, as the Swift kernel computes it).
    public func activation(_ activation: Activation, _ x: String) -> String {
        switch activation {
        case .relu: return relu(x)
        case .tanh: return tanh(x)
        case .sigmoid: return sigmoid(x)
        case .identity: return x
        case .gelu:
            let cube = mul(mul(x, x), x)
            let inner = mul(scalar(0.7978845608), add(x, mul(scalar(0.044715), cube)))
            return mul(mul(scalar(0.5), x), add(scalar(1), tanh(inner)))
        }
    }

    /// Batch norm in evaluation mode, `γ (x − μ) / √(σ² + ε) + β`, its statistics flattened to
    /// one per feature of the last axis (`flatten`) or kept in their own shape to broadcast.
    public func batchNorm(_ norm: BatchNorm, _ x: String, flatten: Bool = true) -> String {
        let shape = flatten ? [norm.gamma.count] : norm.gamma.shape
        let standardDeviation = norm.runningVariance.values.map { ($0 + norm.epsilon).squareRoot() }
        let centred = sub(x, constant(norm.runningMean.values, shape: shape))
        let scaled = div(centred, constant(standardDeviation, shape: shape))
        return add(mul(scaled, constant(norm.gamma.values, shape: shape)), constant(norm.beta.values, shape: shape))
    }

    /// `activation(norm(layer(x)))`, the norm only when present.
    public func linear(_ layer: Linear, _ x: String, norm: BatchNorm?, activation kind: Activation) -> String {
        var h = linear(layer, x)
        if let norm { h = batchNorm(norm, h) }
        return activation(kind, h)
    }

    /// An MLP's blocks in order.
    public func mlp(_ network: MLP, _ x: String) -> String {
        network.blocks.reduce(x) { h, block in
            linear(block.linear, h, norm: block.norm, activation: block.activation ?? .identity)
        }
    }

    /// Layer normalisation over the last axis of `x` (width `width`) with scale `gamma` and shift
    /// `beta` given as values that broadcast against `x`.
    public func layerNorm(_ x: String, width: Int, gamma: String, beta: String, epsilon: Float = 1e-5) -> String {
        add(mul(layerNormalization(x, width: width, epsilon: epsilon), gamma), beta)
    }
}
