/// How the hidden layers of an MLP or an expert are built: `Linear → (BatchNorm) →
/// activation → (Dropout)`.
public struct LayerStyle: Codable, Sendable, Equatable {
    /// The nonlinearity after each hidden layer.
    public var activation: Activation
    /// Whether batch normalisation follows each affine map.
    public var batchNorm: Bool
    /// The dropout probability after each activation (0: none).
    public var dropout: Float
    /// The family of initial weights.
    public var initialization: WeightInitialization

    /// A style; the default is ReLU without batch norm or dropout, standard initialisation.
    public init(activation: Activation = .relu, batchNorm: Bool = false, dropout: Float = 0,
                initialization: WeightInitialization = .standard) {
        self.activation = activation
        self.batchNorm = batchNorm
        self.dropout = dropout
        self.initialization = initialization
    }

    /// The initializer of a hidden layer: with standard initialisation He for ReLU, Glorot otherwise.
    public var initializer: Initializer { initialization.hidden(activation) }

    /// The initializer of a linear read-out (a last layer without activation, a gate).
    public var readoutInitializer: Initializer { initialization.readout }
}
