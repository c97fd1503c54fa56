import Foundation

/// Standardisation over the last axis: the statistics part of layer normalisation.
extension Tensor {
    /// `(x − μ) / √(σ² + ε)` with μ and σ² the mean and (biased) variance of each row of
    /// the last axis. A full LayerNorm multiplies by γ and adds β with broadcasting ops.
    public func standardized(epsilon: Float = 1e-5) -> Tensor {
        let n = lastDimension, rows = rowCount
        let out = Tensor.uninitialized(shape)
        let inverseStd = Tensor.uninitialized([rows])
        let (x, y, rs) = (pointer, out.pointer, inverseStd.pointer)
        Parallelism.forEachChunk(rows, costPerItem: n * 3) { range in
            for r in range {
                let (xr, yr) = (x + r * n, y + r * n)
                let mean = sumKernel(xr, n) / Float(n)
                var variance: Float = 0
                for i in 0..<n { let d = xr[i] - mean; variance += d * d }
                variance /= Float(n)
                let inv = 1 / (variance + epsilon).squareRoot()
                rs[r] = inv
                for i in 0..<n { yr[i] = (xr[i] - mean) * inv }
            }
        }
        return Tensor.result(out, op: "standardize", inputs: [self]) { [self, inverseStd] out in
            // dx = inv · (g − mean(g) − y · mean(g ⊙ y))
            let (g, gx, rs) = (out.grad!.pointer, gradBuffer(), inverseStd.pointer)
            Parallelism.forEachChunk(rows, costPerItem: n * 3) { range in
                for r in range {
                    let (gr, yr, gxr) = (g + r * n, out.pointer + r * n, gx + r * n)
                    let meanG = sumKernel(gr, n) / Float(n)
                    let meanGY = dotKernel(gr, yr, n) / Float(n)
                    let inv = rs[r]
                    for i in 0..<n { gxr[i] += inv * (gr[i] - meanG - yr[i] * meanGY) }
                }
            }
        }
    }
}
