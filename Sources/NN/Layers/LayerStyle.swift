/// How the hidden layers of an MLP or an expert are built: `Linear → (BatchNorm) →
/// activation → (Dropout)`.
public struct LayerStyle: Codable, Sendable, Equatable {
    /// The nonlinearity after each hidden layer.
    public var activation: Activation
    /// Whether batch normalisation follows each affine map.
    public var batchNorm: Bool
    /// The dropout probability after each activation (0: none).
    public var dropout: Float

    /// A style; the default is ReLU without batch norm or dropout.
    public init(activation: Activation = .relu, batchNorm: Bool = false, dropout: Float = 0) {
        self.activation = activation
        self.batchNorm = batchNorm
        self.dropout = dropout
    }

    /// The initializer that suits the activation: He for ReLU, Glorot otherwise.
    public var initializer: Initializer { activation == .relu ? .heUniform : .xavierUniform }
}
