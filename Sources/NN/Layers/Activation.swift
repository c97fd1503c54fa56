import Tensor

/// An elementwise nonlinearity, chosen by name in configurations.
public enum Activation: String, Codable, Sendable, CaseIterable {
    case relu, gelu, tanh, sigmoid, identity

    /// Applies the function.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        switch self {
        case .relu: x.relu()
        case .gelu: x.gelu()
        case .tanh: x.tanh()
        case .sigmoid: x.sigmoid()
        case .identity: x
        }
    }
}
