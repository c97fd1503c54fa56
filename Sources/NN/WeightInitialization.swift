/// A family of initial-weight rules for a whole model: which ``Initializer`` its hidden
/// layers, read-outs and embeddings start from.
public enum WeightInitialization: String, Codable, Sendable, CaseIterable {
    /// He uniform for ReLU layers, Glorot uniform for the others and for read-outs and gates;
    /// embeddings `N(0, 0.01²)`.
    case standard
    /// PyTorch's defaults as torch-rechub's models get them: `U(±1/√fanIn)` for every linear
    /// weight, embeddings `N(0, (10⁻⁴)²)` (torch-rechub's embedding initializer).
    case pytorch

    /// The rule for a hidden layer followed by `activation`.
    public func hidden(_ activation: Activation) -> Initializer {
        switch self {
        case .standard: activation == .relu ? .heUniform : .xavierUniform
        case .pytorch: .fanInUniform
        }
    }

    /// The rule for a linear read-out without activation (final layers, gates, numeric vectors).
    public var readout: Initializer {
        switch self {
        case .standard: .xavierUniform
        case .pytorch: .fanInUniform
        }
    }

    /// The rule for embedding tables.
    public var embedding: Initializer {
        switch self {
        case .standard: .normal(standardDeviation: 0.01)
        case .pytorch: .normal(standardDeviation: 1e-4)
        }
    }
}
