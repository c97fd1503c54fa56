import Foundation
import Tensor

/// The L2 norm of all gradients of a set of parameters taken together, dense and row-sparse,
/// and the factor that clips it.
///
/// Clipping by global norm scales every gradient by the same factor; the optimizer applies the
/// factor while it reads the gradients:
///
/// ```swift
/// let norm = GradientNorm(of: optimizer.parameters)
/// optimizer.step(gradientScale: norm.clippingScale(maxNorm: 1))
/// ```
public struct GradientNorm: Sendable, Equatable {
    /// `√(Σ g²)` over every gradient element.
    public let value: Float

    /// The global norm of the gradients the `parameters` hold (those without a gradient count as zero).
    public init(of parameters: [(name: String, tensor: Tensor)]) {
        var total: Double = 0
        for (_, tensor) in parameters {
            if let grad = tensor.grad {
                total += Self.sumOfSquares(UnsafeBufferPointer(grad.storage.buffer))
            }
            if let sparse = tensor.rowGrad {
                total += sparse.values.withUnsafeBufferPointer(Self.sumOfSquares)
            }
        }
        value = Float(total.squareRoot())
    }

    /// The factor that brings the global norm to at most `maxNorm`: `maxNorm / (norm + 10⁻⁶)`
    /// when that is below 1 (as PyTorch's `clip_grad_norm_`), otherwise 1.
    public func clippingScale(maxNorm: Float) -> Float {
        min(1, maxNorm / (value + 1e-6))
    }

    /// `Σ x²`, accumulated in sixteen float lanes and summed in double precision.
    private static func sumOfSquares(_ x: UnsafeBufferPointer<Float>) -> Double {
        guard let base = x.baseAddress else { return 0 }
        var lanes = SIMD16<Float>()
        var i = 0
        while i + 16 <= x.count {
            let v = SIMD16<Float>.load(base + i)
            lanes += v * v
            i += 16
        }
        var total = (0..<16).reduce(0.0) { $0 + Double(lanes[$1]) }
        while i < x.count {
            total += Double(x[i] * x[i])
            i += 1
        }
        return total
    }
}
