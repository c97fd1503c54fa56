import Tensor

/// A rule for the initial values of a parameter tensor, drawn from a seeded generator.
///
/// Values are drawn in row-major order, so the same generator state gives bit-identical tensors.
/// The scaled rules read the fans of the shape (see ``fans(of:)``):
///
/// | rule | distribution |
/// |---|---|
/// | `xavierUniform` | `U(−a, a)`, `a = √(6 / (fanIn + fanOut))` (Glorot & Bengio) |
/// | `xavierNormal` | `N(0, σ²)`, `σ = √(2 / (fanIn + fanOut))` |
/// | `heUniform` | `U(−a, a)`, `a = √(6 / fanIn)` (He et al., for ReLU) |
/// | `heNormal` | `N(0, σ²)`, `σ = √(2 / fanIn)` |
/// | `fanInUniform` | `U(−a, a)`, `a = 1 / √fanIn` (PyTorch's default for `nn.Linear` weights) |
public enum Initializer: Sendable, Equatable {
    /// Every element 0.
    case zeros
    /// Every element 1.
    case ones
    /// Every element `value`.
    case constant(Float)
    /// Uniform over the half-open range.
    case uniform(Range<Float>)
    /// Normal with the given mean and standard deviation.
    case normal(mean: Float = 0, standardDeviation: Float)
    /// Glorot uniform: variance `2 / (fanIn + fanOut)`.
    case xavierUniform
    /// Glorot normal: variance `2 / (fanIn + fanOut)`.
    case xavierNormal
    /// He (Kaiming) uniform, fan-in mode with the ReLU gain: variance `2 / fanIn`.
    case heUniform
    /// He (Kaiming) normal, fan-in mode with the ReLU gain: variance `2 / fanIn`.
    case heNormal
    /// `U(−a, a)`, `a = 1 / √fanIn`: PyTorch's default for `nn.Linear` weights (Kaiming
    /// uniform with a = √5).
    case fanInUniform

    /// The fan-in and fan-out of a weight of `shape`, laid out `[..., in, out]` as ``Linear``
    /// stores it: the last two axes; leading axes stack independent weights (experts, heads).
    /// A vector has both fans equal to its length, a scalar both equal to 1.
    public static func fans(of shape: [Int]) -> (fanIn: Int, fanOut: Int) {
        switch shape.count {
        case 0: (1, 1)
        case 1: (shape[0], shape[0])
        default: (shape[shape.count - 2], shape[shape.count - 1])
        }
    }

    /// A new parameter (a tensor that requires a gradient) of `shape`, filled by this rule.
    public func makeParameter(_ shape: [Int], generator: inout RandomGenerator) -> Tensor {
        let tensor = Tensor.zeros(shape, requiresGrad: true)
        fill(tensor, generator: &generator)
        return tensor
    }

    /// Overwrites every element of `tensor` by this rule.
    public func fill(_ tensor: Tensor, generator: inout RandomGenerator) {
        let values = tensor.storage.buffer
        let (fanIn, fanOut) = Self.fans(of: tensor.shape)
        switch self {
        case .zeros: values.update(repeating: 0)
        case .ones: values.update(repeating: 1)
        case .constant(let value): values.update(repeating: value)
        case .uniform(let range): Self.fillUniform(values, range, &generator)
        case .normal(let mean, let standardDeviation): Self.fillNormal(values, mean, standardDeviation, &generator)
        case .xavierUniform:
            let bound = (6 / Float(fanIn + fanOut)).squareRoot()
            Self.fillUniform(values, -bound..<bound, &generator)
        case .xavierNormal:
            Self.fillNormal(values, 0, (2 / Float(fanIn + fanOut)).squareRoot(), &generator)
        case .heUniform:
            let bound = (6 / Float(fanIn)).squareRoot()
            Self.fillUniform(values, -bound..<bound, &generator)
        case .heNormal:
            Self.fillNormal(values, 0, (2 / Float(fanIn)).squareRoot(), &generator)
        case .fanInUniform:
            let bound = 1 / Float(fanIn).squareRoot()
            Self.fillUniform(values, -bound..<bound, &generator)
        }
    }

    private static func fillUniform(
        _ values: UnsafeMutableBufferPointer<Float>, _ range: Range<Float>, _ generator: inout RandomGenerator
    ) {
        let width = range.upperBound - range.lowerBound
        for i in values.indices { values[i] = range.lowerBound + width * generator.nextUniform() }
    }

    private static func fillNormal(
        _ values: UnsafeMutableBufferPointer<Float>, _ mean: Float, _ standardDeviation: Float,
        _ generator: inout RandomGenerator
    ) {
        for i in values.indices { values[i] = mean + standardDeviation * generator.nextNormal() }
    }
}
