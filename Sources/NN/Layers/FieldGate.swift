import Tensor

/// A squeeze-and-excitation gate over fields (SENet, as in FiBiNET and DTRN's TRM): each
/// field's embedding is squeezed to its mean, an MLP with a bottleneck excites one weight
/// per field, and every field is re-weighted.
public final class FieldGate: Module {
    /// How the excitation is turned into weights.
    public enum Kind: String, Codable, Sendable {
        /// `σ(·)`, one weight in (0, 1) per field.
        case sigmoid
        /// `2σ(·)`, one weight in (0, 2) per field, 1 at initialisation-like inputs.
        case doubleSigmoid = "2sigmoid"
    }

    /// The squeeze → bottleneck layer.
    public let reduce: Linear
    /// The bottleneck → field weights layer.
    public let expand: Linear
    /// The weight function.
    public let kind: Kind
    /// The nonlinearity of the bottleneck (ReLU in SENet).
    public let activation: Activation

    /// A gate over `fields` fields with a bottleneck of `max(1, fields / reduction)`.
    public init(fields: Int, reduction: Int = 2, kind: Kind = .sigmoid, activation: Activation = .relu,
                generator: inout RandomGenerator) {
        let bottleneck = max(1, fields / max(1, reduction))
        reduce = Linear(inputSize: fields, outputSize: bottleneck, initializer: .heUniform, generator: &generator)
        expand = Linear(inputSize: bottleneck, outputSize: fields, generator: &generator)
        self.kind = kind
        self.activation = activation
    }

    /// The field weights for `fields: [N, F, d]`, shaped `[N, F]`.
    public func weights(_ fields: Tensor) -> Tensor {
        let excitation = expand(activation(reduce(fields.mean(axis: 2)))).sigmoid()
        return kind == .doubleSigmoid ? excitation * 2 : excitation
    }

    /// The re-weighted fields, `[N, F, d]`.
    public func callAsFunction(_ fields: Tensor) -> Tensor {
        let (n, f) = (fields.shape[0], fields.shape[1])
        return fields * weights(fields).reshaped([n, f, 1])
    }
}
