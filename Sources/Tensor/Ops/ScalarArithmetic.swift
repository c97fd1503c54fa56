/// Arithmetic of a tensor and a constant.
extension Tensor {
    /// `self · scale + shift` elementwise.
    public func affine(scale: Float, shift: Float = 0) -> Tensor {
        let out = Tensor.uninitialized(shape)
        let vs = Vec(repeating: scale), vb = Vec(repeating: shift)
        let (x, y) = (pointer, out.pointer)
        Parallelism.forEachChunk(count, costPerItem: 1) { r in
            mapKernel(x + r.lowerBound, y + r.lowerBound, r.count) { $0 * vs + vb }
        }
        return Tensor.result(out, op: "affine", inputs: [self]) { [self] out in
            let (g, gx) = (out.grad!.pointer, gradBuffer())
            zipKernel(gx, g, gx, count) { $0 + $1 * vs }
        }
    }

    /// Adds a constant to every element.
    public static func + (a: Tensor, s: Float) -> Tensor { a.affine(scale: 1, shift: s) }
    /// Subtracts a constant from every element.
    public static func - (a: Tensor, s: Float) -> Tensor { a.affine(scale: 1, shift: -s) }
    /// Subtracts every element from a constant.
    public static func - (s: Float, a: Tensor) -> Tensor { a.affine(scale: -1, shift: s) }
    /// Multiplies every element by a constant.
    public static func * (a: Tensor, s: Float) -> Tensor { a.affine(scale: s) }
    /// Multiplies every element by a constant.
    public static func * (s: Float, a: Tensor) -> Tensor { a.affine(scale: s) }
    /// Divides every element by a constant.
    public static func / (a: Tensor, s: Float) -> Tensor { a.affine(scale: 1 / s) }
    /// Negates every element.
    public static prefix func - (a: Tensor) -> Tensor { a.affine(scale: -1) }
}
