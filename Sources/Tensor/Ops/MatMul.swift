/// Matrix products: `C = op(A) · op(B)` for matrices and for batches of matrices.
extension Tensor {
    /// The matrix product of `self` and `other`, either optionally transposed.
    ///
    /// `self` may have more than two axes when not transposed: its leading axes are then
    /// treated as rows (`[..., k] · [k, n] → [..., n]`), as a linear layer needs.
    public func matmul(_ other: Tensor, transposeSelf: Bool = false, transposeOther: Bool = false) -> Tensor {
        precondition(other.rank == 2, "matmul: right operand must be a matrix, got \(other.shape)")
        precondition(rank == 2 || (rank > 2 && !transposeSelf),
                     "matmul: left operand must be a matrix, got \(shape)")
        let k = transposeSelf ? shape[0] : lastDimension
        let m = transposeSelf ? shape[1] : rowCount
        let kb = transposeOther ? other.shape[1] : other.shape[0]
        let n = transposeOther ? other.shape[0] : other.shape[1]
        precondition(k == kb, "matmul: inner sizes differ: \(shape) · \(other.shape)")
        let outShape = transposeSelf ? [m, n] : Array(shape.dropLast()) + [n]
        let out = Tensor.uninitialized(outShape)
        Gemm.multiply(pointer, transposeA: transposeSelf, other.pointer, transposeB: transposeOther,
                      into: out.pointer, m: m, n: n, k: k)
        return Tensor.result(out, op: "matmul", inputs: [self, other]) { [self] out in
            MatrixProductGradient(m: m, n: n, k: k, transposeA: transposeSelf, transposeB: transposeOther)
                .accumulate(gradOut: out.grad!.pointer, a: self, b: other)
        }
    }

    /// The batched matrix product: `[..., m, k] · [..., k, n] → [..., m, n]` (before the
    /// optional transposes of each operand's last two axes), leading axes equal.
    public func batchedMatmul(_ other: Tensor, transposeSelf: Bool = false, transposeOther: Bool = false) -> Tensor {
        precondition(rank >= 3 && other.rank == rank && shape.dropLast(2) == other.shape.dropLast(2),
                     "batchedMatmul: shapes \(shape) and \(other.shape) do not batch")
        let batch = shape.dropLast(2).reduce(1, *)
        let (r0, r1) = (shape[rank - 2], shape[rank - 1])
        let (o0, o1) = (other.shape[rank - 2], other.shape[rank - 1])
        let (m, k) = transposeSelf ? (r1, r0) : (r0, r1)
        let (kb, n) = transposeOther ? (o1, o0) : (o0, o1)
        precondition(k == kb, "batchedMatmul: inner sizes differ: \(shape) · \(other.shape)")
        let out = Tensor.uninitialized(Array(shape.dropLast(2)) + [m, n])
        Self.forEachProduct(batch, multiplyAdds: m * n * k) { i in
            Gemm.multiply(pointer + i * m * k, transposeA: transposeSelf,
                          other.pointer + i * k * n, transposeB: transposeOther,
                          into: out.pointer + i * m * n, m: m, n: n, k: k)
        }
        return Tensor.result(out, op: "batchedMatmul", inputs: [self, other]) { [self] out in
            let g = MatrixProductGradient(m: m, n: n, k: k, transposeA: transposeSelf, transposeB: transposeOther)
            let (dA, dB) = (requiresGrad ? gradDestination() : nil, other.requiresGrad ? other.gradDestination() : nil)
            Self.forEachProduct(batch, multiplyAdds: m * n * k) { i in
                g.accumulate(gradOut: out.grad!.pointer + i * m * n, a: pointer + i * m * k, b: other.pointer + i * k * n,
                             dA: dA.map { ($0.pointer + i * m * k, $0.beta) },
                             dB: dB.map { ($0.pointer + i * k * n, $0.beta) })
            }
        }
    }

    /// `body(i)` for each of `batch` matrix products of `multiplyAdds` each: spread over the
    /// workers when one product is too small to split itself (attention pooling's per-sample products),
    /// otherwise one after another, each product splitting its own rows.
    private static func forEachProduct(_ batch: Int, multiplyAdds: Int, _ body: (Int) -> Void) {
        if multiplyAdds < Gemm.minimumParallelWork {
            Parallelism.forEachChunk(batch, costPerItem: multiplyAdds) { range in
                for i in range { body(i) }
            }
        } else {
            for i in 0..<batch { body(i) }
        }
    }
}

/// The two gradient products of `C = op(A) · op(B)`, accumulated into the operands' gradients:
/// `dA = dC · op(B)ᵀ` and `dB = op(A)ᵀ · dC`, laid out as `A` and `B` are stored.
struct MatrixProductGradient {
    let m: Int, n: Int, k: Int
    let transposeA: Bool, transposeB: Bool

    /// Adds both products into the gradients of the operand tensors that require one.
    func accumulate(gradOut dC: UnsafePointer<Float>, a: Tensor, b: Tensor) {
        accumulate(gradOut: dC, a: a.pointer, b: b.pointer,
                   dA: a.requiresGrad ? a.gradDestination() : nil, dB: b.requiresGrad ? b.gradDestination() : nil)
    }

    /// Writes `dA + beta · dA` and `dB + beta · dB` (each where a destination is given).
    func accumulate(gradOut dC: UnsafePointer<Float>, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                    dA: (pointer: UnsafeMutablePointer<Float>, beta: Float)?,
                    dB: (pointer: UnsafeMutablePointer<Float>, beta: Float)?) {
        if let (dA, beta) = dA {
            if transposeA {
                Gemm.multiply(b, transposeA: transposeB, dC, transposeB: true, into: dA, m: k, n: m, k: n, beta: beta)
            } else {
                Gemm.multiply(dC, transposeA: false, b, transposeB: !transposeB, into: dA, m: m, n: k, k: n, beta: beta)
            }
        }
        if let (dB, beta) = dB {
            if transposeB {
                Gemm.multiply(dC, transposeA: true, a, transposeB: transposeA, into: dB, m: n, n: k, k: m, beta: beta)
            } else {
                Gemm.multiply(a, transposeA: !transposeA, dC, transposeB: false, into: dB, m: k, n: n, k: m, beta: beta)
            }
        }
    }
}
