import Foundation

/// An elementwise function with its derivative, on 16 lanes at a time.
///
/// Ops are generic over this protocol so that each function's kernel is specialised and
/// vectorised, forward beside backward.
protocol ElementwiseFunction {
    static var name: String { get }
    static func value(_ x: Vec) -> Vec
    /// `f'(x)`, given `x` and `y = f(x)`.
    static func derivative(x: Vec, y: Vec) -> Vec
}

/// Elementwise nonlinearities.
extension Tensor {
    /// `max(x, 0)`.
    public func relu() -> Tensor { apply(ReLU.self) }
    /// The logistic function `1 / (1 + e^-x)`.
    public func sigmoid() -> Tensor { apply(Sigmoid.self) }
    /// The hyperbolic tangent.
    public func tanh() -> Tensor { apply(Tanh.self) }
    /// `e^x`.
    public func exp() -> Tensor { apply(Exp.self) }
    /// The natural logarithm (of positive elements).
    public func log() -> Tensor { apply(Log.self) }
    /// GELU in its tanh form: `x/2 · (1 + tanh(√(2/π)(x + 0.044715 x³)))`.
    public func gelu() -> Tensor { apply(GELU.self) }

    /// `y = f(x)` elementwise, recording `dx += g · f'(x, y)`.
    private func apply<F: ElementwiseFunction>(_: F.Type) -> Tensor {
        let out = Tensor.uninitialized(shape)
        let (x, y) = (pointer, out.pointer)
        Parallelism.forEachChunk(count, costPerItem: 4) { r in
            mapKernel(x + r.lowerBound, y + r.lowerBound, r.count, F.value)
        }
        return Tensor.result(out, op: F.name, inputs: [self]) { [self] out in
            let g = out.grad!.pointer
            let (gx, beta) = gradDestination()
            Parallelism.forEachChunk(count, costPerItem: 4) { r in
                var i = r.lowerBound
                while i + 16 <= r.upperBound {
                    let d = F.derivative(x: loadVec(x + i), y: loadVec(y + i))
                    let previous = beta == 0 ? Vec(repeating: 0) : loadVec(gx + i)
                    storeVec(previous + loadVec(g + i) * d, gx + i)
                    i += 16
                }
                let rest = r.upperBound - i
                if rest > 0 {
                    let d = F.derivative(x: loadPartial(x + i, rest), y: loadPartial(y + i, rest))
                    let previous = beta == 0 ? Vec(repeating: 0) : loadPartial(gx + i, rest)
                    storePartial(previous + loadPartial(g + i, rest) * d, gx + i, rest)
                }
            }
        }
    }
}

private enum ReLU: ElementwiseFunction {
    static let name = "relu"
    @inline(__always) static func value(_ x: Vec) -> Vec { x.replacing(with: 0, where: x .< 0) }
    @inline(__always) static func derivative(x: Vec, y: Vec) -> Vec {
        Vec(repeating: 1).replacing(with: 0, where: x .<= 0)
    }
}

private enum Sigmoid: ElementwiseFunction {
    static let name = "sigmoid"
    @inline(__always) static func value(_ x: Vec) -> Vec { vsigmoid(x) }
    @inline(__always) static func derivative(x: Vec, y: Vec) -> Vec { y * (1 - y) }
}

private enum Tanh: ElementwiseFunction {
    static let name = "tanh"
    @inline(__always) static func value(_ x: Vec) -> Vec { vtanh(x) }
    @inline(__always) static func derivative(x: Vec, y: Vec) -> Vec { 1 - y * y }
}

private enum Exp: ElementwiseFunction {
    static let name = "exp"
    @inline(__always) static func value(_ x: Vec) -> Vec { vexp(x) }
    @inline(__always) static func derivative(x: Vec, y: Vec) -> Vec { y }
}

private enum Log: ElementwiseFunction {
    static let name = "log"
    @inline(__always) static func value(_ x: Vec) -> Vec {
        var r = x
        for i in 0..<16 { r[i] = Foundation.log(x[i]) }
        return r
    }
    @inline(__always) static func derivative(x: Vec, y: Vec) -> Vec { 1 / x }
}

private enum GELU: ElementwiseFunction {
    static let name = "gelu"
    private static let c: Float = 0.7978845608, k: Float = 0.044715

    @inline(__always) static func value(_ x: Vec) -> Vec {
        let inner: Vec = c * (x + k * x * x * x)
        return 0.5 * x * (1 + vtanh(inner))
    }
    @inline(__always) static func derivative(x: Vec, y: Vec) -> Vec {
        let x2: Vec = x * x
        let t: Vec = vtanh(c * (x + k * x2 * x))
        let slope: Vec = c * (1 + 3 * k * x2)
        let halfX: Vec = 0.5 * x
        return 0.5 * (1 + t) + halfX * (1 - t * t) * slope
    }
}

/// The logistic function for 16 lanes.
@inline(__always) func vsigmoid(_ x: Vec) -> Vec { 1 / (1 + vexp(-x)) }
/// The logistic function, numerically stable for large |x|.
@inline(__always) func ssigmoid(_ x: Float) -> Float {
    x >= 0 ? 1 / (1 + Foundation.exp(-x)) : Foundation.exp(x) / (1 + Foundation.exp(x))
}
/// `tanh` for 16 lanes through the logistic function: `tanh x = 2σ(2x) − 1`.
@inline(__always) func vtanh(_ x: Vec) -> Vec { 2 * vsigmoid(2 * x) - 1 }
