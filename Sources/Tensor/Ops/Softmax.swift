import Foundation

/// Softmax and log-softmax over the last axis, optionally masked.
///
/// A mask has shape `[G, n]` (n = the last axis) with 1 for positions to keep and 0 for
/// positions to drop; the rows of the input, in order, fall into G equal consecutive
/// blocks and block `g` uses mask row `g`. For attention scores `[B, H, Lq, Lk]` a key
/// padding mask `[B, Lk]` is exactly such a mask. A row whose every position is masked
/// gives all zeros.
extension Tensor {
    /// `softmax(x)` over the last axis.
    public func softmax(mask: Tensor? = nil) -> Tensor {
        normalizedExponential(mask: mask, logarithmic: false)
    }

    /// `log(softmax(x))` over the last axis; masked positions give 0.
    public func logSoftmax(mask: Tensor? = nil) -> Tensor {
        normalizedExponential(mask: mask, logarithmic: true)
    }

    private func normalizedExponential(mask: Tensor?, logarithmic: Bool) -> Tensor {
        let n = lastDimension, rows = rowCount
        let rowsPerMaskRow: Int
        if let mask {
            precondition(mask.rank == 2 && mask.shape[1] == n && mask.shape[0] > 0 && rows % mask.shape[0] == 0,
                         "softmax: mask \(mask.shape) does not fit input \(shape)")
            rowsPerMaskRow = rows / mask.shape[0]
        } else {
            rowsPerMaskRow = 0
        }
        let out = Tensor.uninitialized(shape)
        let (x, y, mp) = (pointer, out.pointer, mask?.pointer)
        /// Keeps the softmax itself for the log-softmax backward pass.
        let probabilities = logarithmic ? Tensor.uninitialized(shape) : out
        let pp = probabilities.pointer
        Parallelism.forEachChunk(rows, costPerItem: n * 4) { range in
            for r in range {
                let (xr, yr, pr) = (x + r * n, y + r * n, pp + r * n)
                let mr = mp.map { $0 + (r / rowsPerMaskRow) * n }
                var m = -Float.infinity
                if let mr {
                    for i in 0..<n where mr[i] != 0 { m = Swift.max(m, xr[i]) }
                } else if n > 0 {
                    m = maxKernel(xr, n)
                }
                if m == -Float.infinity {
                    yr.update(repeating: 0, count: n)
                    if logarithmic { pr.update(repeating: 0, count: n) }
                    continue
                }
                let vm = Vec(repeating: m)
                mapKernel(xr, pr, n) { vexp($0 - vm) }
                if let mr { zipKernel(pr, mr, pr, n) { $0 * $1 } }   // masks hold 0 or 1
                let s = sumKernel(pr, n)
                let inv = Vec(repeating: 1 / s)
                mapKernel(pr, pr, n) { $0 * inv }
                if logarithmic {
                    let shift = m + Foundation.log(s)
                    for i in 0..<n { yr[i] = (mr == nil || mr![i] != 0) ? xr[i] - shift : 0 }
                }
            }
        }
        let name = logarithmic ? "logSoftmax" : "softmax"
        var inputs = [self]
        if let mask { inputs.append(mask) }
        return Tensor.result(out, op: name, inputs: inputs) { [self, probabilities] out in
            _ = probabilities
            let (g, gx) = (out.grad!.pointer, gradBuffer())
            Parallelism.forEachChunk(rows, costPerItem: n * 3) { range in
                for r in range {
                    let (gr, pr, gxr) = (g + r * n, pp + r * n, gx + r * n)
                    if logarithmic {
                        // dx = g − p · Σg over kept positions; masked positions have p = 0 and get 0.
                        let mr = mp.map { $0 + (r / rowsPerMaskRow) * n }
                        var total: Float = 0
                        for i in 0..<n where mr == nil || mr![i] != 0 { total += gr[i] }
                        for i in 0..<n where mr == nil || mr![i] != 0 { gxr[i] += gr[i] - pr[i] * total }
                    } else {
                        // dx = p ⊙ (g − Σ g·p)
                        let dot = dotKernel(gr, pr, n)
                        for i in 0..<n { gxr[i] += pr[i] * (gr[i] - dot) }
                    }
                }
            }
        }
    }
}
