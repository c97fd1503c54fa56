/// Elementwise arithmetic of two tensors with NumPy broadcasting.
public enum BinaryOperator: String, Sendable {
    case add, subtract, multiply, divide
}

extension Tensor {
    /// `self ∘ other` elementwise with broadcasting, for `∘` in ``BinaryOperator``.
    public func elementwise(_ op: BinaryOperator, _ other: Tensor) -> Tensor {
        guard let bc = Broadcast(shape, other.shape) else {
            preconditionFailure("\(op.rawValue): shapes \(shape) and \(other.shape) do not broadcast")
        }
        let out = Tensor.uninitialized(bc.outShape)
        let (a, b, y, n) = (pointer, other.pointer, out.pointer, bc.inner)
        let (sa, sb) = (bc.aInner, bc.bInner)
        Parallelism.forEachChunk(bc.rows, costPerItem: n) { range in
            bc.forEachRow(in: range) { r, ao, bo in
                let (pa, pb, py) = (a + ao, b + bo, y + r * n)
                switch op {
                case .add: rowKernel(pa, sa, pb, sb, py, n, { $0 + $1 }, { $0 + $1 })
                case .subtract: rowKernel(pa, sa, pb, sb, py, n, { $0 - $1 }, { $0 - $1 })
                case .multiply: rowKernel(pa, sa, pb, sb, py, n, { $0 * $1 }, { $0 * $1 })
                case .divide: rowKernel(pa, sa, pb, sb, py, n, { $0 / $1 }, { $0 / $1 })
                }
            }
        }
        return Tensor.result(out, op: op.rawValue, inputs: [self, other]) { [self] out in
            let g = out.grad!.pointer
            let ga = requiresGrad ? gradBuffer() : nil
            let gb = other.requiresGrad ? other.gradBuffer() : nil
            bc.forEachRow(in: 0..<bc.rows) { r, ao, bo in
                let gr = g + r * n
                for i in 0..<n {
                    let (ia, ib) = (ao + i * sa, bo + i * sb)
                    switch op {
                    case .add:
                        ga?[ia] += gr[i]; gb?[ib] += gr[i]
                    case .subtract:
                        ga?[ia] += gr[i]; gb?[ib] -= gr[i]
                    case .multiply:
                        ga?[ia] += gr[i] * b[ib]; gb?[ib] += gr[i] * a[ia]
                    case .divide:
                        ga?[ia] += gr[i] / b[ib]; gb?[ib] -= gr[i] * y[r * n + i] / b[ib]
                    }
                }
            }
        }
    }

    /// Elementwise sum with broadcasting.
    public static func + (a: Tensor, b: Tensor) -> Tensor { a.elementwise(.add, b) }
    /// Elementwise difference with broadcasting.
    public static func - (a: Tensor, b: Tensor) -> Tensor { a.elementwise(.subtract, b) }
    /// Elementwise product with broadcasting.
    public static func * (a: Tensor, b: Tensor) -> Tensor { a.elementwise(.multiply, b) }
    /// Elementwise quotient with broadcasting.
    public static func / (a: Tensor, b: Tensor) -> Tensor { a.elementwise(.divide, b) }
}

/// One output row of a broadcast binary op: each operand's stride along the row is 1 or 0.
@inline(__always)
private func rowKernel(
    _ a: UnsafePointer<Float>, _ sa: Int, _ b: UnsafePointer<Float>, _ sb: Int,
    _ y: UnsafeMutablePointer<Float>, _ n: Int,
    _ vf: (Vec, Vec) -> Vec, _ sf: (Float, Float) -> Float
) {
    switch (sa, sb) {
    case (1, 1):
        zipKernel(a, b, y, n, vf, sf)
    case (1, _):
        let s = b.pointee, vs = Vec(repeating: s)
        mapKernel(a, y, n, { vf($0, vs) }, { sf($0, s) })
    case (_, 1):
        let s = a.pointee, vs = Vec(repeating: s)
        mapKernel(b, y, n, { vf(vs, $0) }, { sf(s, $0) })
    default:
        y.update(repeating: sf(a.pointee, b.pointee), count: n)
    }
}
