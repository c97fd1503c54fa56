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
                case .add: rowKernel(pa, sa, pb, sb, py, n) { $0 + $1 }
                case .subtract: rowKernel(pa, sa, pb, sb, py, n) { $0 - $1 }
                case .multiply: rowKernel(pa, sa, pb, sb, py, n) { $0 * $1 }
                case .divide: rowKernel(pa, sa, pb, sb, py, n) { $0 / $1 }
                }
            }
        }
        return Tensor.result(out, op: op.rawValue, inputs: [self, other]) { [self] out in
            let g = out.grad!.pointer
            if requiresGrad {
                forEachRow(of: bc, addingInto: self, distinctRows: bc.aRowsDistinct) { ga, write, r, ao, bo in
                    let (gr, br) = (g + r * n, b + bo)
                    // d(a∘b)/da: 1 for ±, b for ×, 1/b for ÷ (b a row or one repeated element).
                    switch (op, sb) {
                    case (.add, _), (.subtract, _): contribute(ga + ao, sa, n, write: write) { gr[$0] }
                    case (.multiply, 1): contribute(ga + ao, sa, n, write: write) { gr[$0] * br[$0] }
                    case (.multiply, _): let s = br.pointee; contribute(ga + ao, sa, n, write: write) { gr[$0] * s }
                    case (.divide, 1): contribute(ga + ao, sa, n, write: write) { gr[$0] / br[$0] }
                    case (.divide, _): let s = 1 / br.pointee; contribute(ga + ao, sa, n, write: write) { gr[$0] * s }
                    }
                }
            }
            if other.requiresGrad {
                forEachRow(of: bc, addingInto: other, distinctRows: bc.bRowsDistinct) { gb, write, r, ao, bo in
                    let (gr, yr, ar, br) = (g + r * n, y + r * n, a + ao, b + bo)
                    // d(a∘b)/db: 1 for +, −1 for −, a for ×, −y/b for ÷.
                    switch (op, sa, sb) {
                    case (.add, _, _): contribute(gb + bo, sb, n, write: write) { gr[$0] }
                    case (.subtract, _, _): contribute(gb + bo, sb, n, write: write) { -gr[$0] }
                    case (.multiply, 1, _): contribute(gb + bo, sb, n, write: write) { gr[$0] * ar[$0] }
                    case (.multiply, _, _): let s = ar.pointee; contribute(gb + bo, sb, n, write: write) { gr[$0] * s }
                    case (.divide, _, 1): contribute(gb + bo, sb, n, write: write) { -gr[$0] * yr[$0] / br[$0] }
                    case (.divide, _, _): let s = -1 / br.pointee; contribute(gb + bo, sb, n, write: write) { gr[$0] * yr[$0] * s }
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
    _ y: UnsafeMutablePointer<Float>, _ n: Int, _ f: (Vec, Vec) -> Vec
) {
    switch (sa, sb) {
    case (1, 1):
        zipKernel(a, b, y, n, f)
    case (1, _):
        let vs = Vec(repeating: b.pointee)
        mapKernel(a, y, n) { f($0, vs) }
    case (_, 1):
        let vs = Vec(repeating: a.pointee)
        mapKernel(b, y, n) { f(vs, $0) }
    default:
        y.update(repeating: f(Vec(repeating: a.pointee), Vec(repeating: b.pointee))[0], count: n)
    }
}

/// Visits every output row of `bc` (the operand's gradient, whether to write rather than add,
/// row, offset into a, offset into b) to add into `operand`'s gradient. When every output
/// row meets its own row of the operand, the rows are split over the workers as they are, and
/// a new gradient is written without being zero-filled first; when rows share the operand's
/// rows (it is broadcast along a leading axis), each worker adds into a copy of its own.
@inline(__always)
private func forEachRow(
    of bc: Broadcast, addingInto operand: Tensor, distinctRows: Bool,
    _ body: (UnsafeMutablePointer<Float>, Bool, Int, Int, Int) -> Void
) {
    if distinctRows {
        let (gradient, keep) = operand.gradDestination()
        Parallelism.forEachChunk(bc.rows, costPerItem: bc.inner) { range in
            bc.forEachRow(in: range) { body(gradient, keep == 0, $0, $1, $2) }
        }
    } else {
        Parallelism.forEachChunkSummed(bc.rows, costPerItem: bc.inner, size: operand.count,
                                       into: operand.gradBuffer()) { range, sum in
            bc.forEachRow(in: range) { body(sum, false, $0, $1, $2) }
        }
    }
}

/// Adds (or, with `write`, writes) `value(i)` for `i` in `0..<n` to an operand's gradient:
/// element-wise when the operand runs along the row (stride 1), summed into its one element
/// when it is broadcast (stride 0).
@inline(__always)
private func contribute(_ target: UnsafeMutablePointer<Float>, _ stride: Int, _ n: Int, write: Bool,
                        _ value: (Int) -> Float) {
    if stride == 1 {
        if write { for i in 0..<n { target[i] = value(i) } } else { for i in 0..<n { target[i] += value(i) } }
    } else {
        var total: Float = 0
        for i in 0..<n { total += value(i) }
        target.pointee = write ? total : target.pointee + total
    }
}
