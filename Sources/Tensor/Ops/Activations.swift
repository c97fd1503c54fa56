import Foundation

/// Elementwise nonlinearities, each forward beside its derivative.
extension Tensor {
    /// Applies a lane-wise function and records `dx = g · f'(x, y)`.
    @inline(__always)
    private func unary(
        _ name: String,
        _ vf: @escaping (Vec) -> Vec, _ sf: @escaping (Float) -> Float,
        derivative vd: @escaping (_ x: Vec, _ y: Vec) -> Vec,
        _ sd: @escaping (_ x: Float, _ y: Float) -> Float
    ) -> Tensor {
        let out = Tensor.uninitialized(shape)
        let (x, y) = (pointer, out.pointer)
        Parallelism.forEachChunk(count, costPerItem: 4) { r in
            mapKernel(x + r.lowerBound, y + r.lowerBound, r.count, vf, sf)
        }
        return Tensor.result(out, op: name, inputs: [self]) { [self] out in
            let (g, gx, n) = (out.grad!.pointer, gradBuffer(), count)
            Parallelism.forEachChunk(n, costPerItem: 4) { r in
                var i = r.lowerBound
                while i + 16 <= r.upperBound {
                    storeVec(loadVec(gx + i) + loadVec(g + i) * vd(loadVec(x + i), loadVec(y + i)), gx + i)
                    i += 16
                }
                while i < r.upperBound { gx[i] += g[i] * sd(x[i], y[i]); i += 1 }
            }
        }
    }

    /// `max(x, 0)`.
    public func relu() -> Tensor {
        let zero = Vec(repeating: 0), one = Vec(repeating: 1)
        return unary("relu", { pointwiseMax($0, zero) }, { Swift.max($0, 0) },
                     derivative: { x, _ in one.replacing(with: zero, where: x .<= zero) },
                     { x, _ in x > 0 ? 1 : 0 })
    }

    /// The logistic function `1 / (1 + e^-x)`.
    public func sigmoid() -> Tensor {
        unary("sigmoid", vsigmoid, ssigmoid, derivative: { _, y in y * (1 - y) }, { _, y in y * (1 - y) })
    }

    /// The hyperbolic tangent.
    public func tanh() -> Tensor {
        unary("tanh", vtanh, { Foundation.tanh($0) }, derivative: { _, y in 1 - y * y }, { _, y in 1 - y * y })
    }

    /// `e^x`.
    public func exp() -> Tensor {
        unary("exp", vexp, sexp, derivative: { _, y in y }, { _, y in y })
    }

    /// The natural logarithm (of positive elements).
    public func log() -> Tensor {
        let vlog: (Vec) -> Vec = { v in
            var r = v
            for i in 0..<16 { r[i] = Foundation.log(v[i]) }
            return r
        }
        return unary("log", vlog, { Foundation.log($0) }, derivative: { x, _ in 1 / x }, { x, _ in 1 / x })
    }

    /// GELU in its tanh form: `x/2 · (1 + tanh(√(2/π)(x + 0.044715 x³)))`.
    public func gelu() -> Tensor {
        unary("gelu", { x in vgelu(x).value }, { x in sgelu(x).value },
              derivative: { x, _ in vgelu(x).derivative }, { x, _ in sgelu(x).derivative })
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

/// GELU (tanh form) and its derivative for 16 lanes.
@inline(__always) private func vgelu(_ x: Vec) -> (value: Vec, derivative: Vec) {
    let c: Float = 0.7978845608, k: Float = 0.044715
    let x2: Vec = x * x
    let inner: Vec = c * (x + k * x2 * x)
    let t: Vec = vtanh(inner)
    let value: Vec = 0.5 * x * (1 + t)
    let slope: Vec = c * (1 + 3 * k * x2)
    let derivative: Vec = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * slope
    return (value, derivative)
}

/// GELU (tanh form) and its derivative for one float.
@inline(__always) private func sgelu(_ x: Float) -> (value: Float, derivative: Float) {
    let c: Float = 0.7978845608, k: Float = 0.044715
    let t = Foundation.tanh(c * (x + k * x * x * x))
    let slope = c * (1 + 3 * k * x * x)
    return (0.5 * x * (1 + t), 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * slope)
}
