/// The gate-weighted sum of expert outputs, as one op.
extension Tensor {
    /// `y[i] = Σ_k gates[i, k] · experts[i, k]` for `experts: [N, K, d]` and `gates: [N, K]`,
    /// shaped `[N, d]`; the backward adds `dE[i, k] = g[i, k] · dY[i]` and
    /// `dG[i, k] = ⟨E[i, k], dY[i]⟩`.
    public static func mixture(_ experts: Tensor, gates: Tensor) -> Tensor {
        precondition(experts.rank == 3 && gates.shape == Array(experts.shape.prefix(2)),
                     "mixture: experts \(experts.shape) and gates \(gates.shape) do not match")
        let (n, k, d) = (experts.shape[0], experts.shape[1], experts.shape[2])
        let out = Tensor.uninitialized([n, d])
        let (e, g, y) = (experts.pointer, gates.pointer, out.pointer)
        Parallelism.forEachChunk(n, costPerItem: k * d) { rows in
            for i in rows {
                let yi = y + i * d
                yi.update(repeating: 0, count: d)
                for j in 0..<k { addScaled(e + (i * k + j) * d, g[i * k + j], into: yi, d) }
            }
        }
        return Tensor.result(out, op: "mixture", inputs: [experts, gates]) { out in
            let dY = out.grad!.pointer
            let (dE, dEBeta): (UnsafeMutablePointer<Float>?, Float) =
                experts.requiresGrad ? experts.gradDestination() : (nil, 0)
            let dG = gates.requiresGrad ? gates.gradBuffer() : nil
            Parallelism.forEachChunk(n, costPerItem: 2 * k * d) { rows in
                for i in rows {
                    let dyi = dY + i * d
                    for j in 0..<k {
                        let row = (i * k + j) * d
                        if let dE {
                            if dEBeta == 0 { mapKernel(dyi, dE + row, d) { $0 * g[i * k + j] } }
                            else { addScaled(dyi, g[i * k + j], into: dE + row, d) }
                        }
                        if let dG { dG[i * k + j] += dotKernel(e + row, dyi, d) }
                    }
                }
            }
        }
    }
}
