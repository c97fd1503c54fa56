import Foundation

/// Pooling packed sequences into one vector each, by a target's attention or by the mean.
extension Tensor {
    /// One vector per sequence of `self`, `[C·R, d]`: C blocks of the same R packed positions,
    /// sequence s of a block being its rows `offsets[s] ..< offsets[s + 1]` (`offsets` starts at
    /// 0, never decreases and ends at R > 0).
    ///
    /// With `targets` (`[N, d]`, N = `offsets.count − 1`), sequence s of every block is pooled
    /// by target s's attention: `Σ_r softmax_r(e_r · t_s / √d) · e_r`. Without, it is the mean
    /// of its rows. An empty sequence pools to zeros. The result is `[C·N, d]`, block by block —
    /// what the padded pooling gives at the real positions, without placing the packed rows
    /// into a padded batch, a batched product per sequence or a softmax over the padding.
    public func pooledSequences(offsets: [Int32], targets: Tensor?) -> Tensor {
        let d = lastDimension, n = offsets.count - 1
        let positions = Int(offsets.last ?? 0)
        precondition(rank == 2 && offsets.first == 0 && zip(offsets, offsets.dropFirst()).allSatisfy(<=)
                     && positions > 0 && shape[0] % positions == 0,
                     "pooledSequences: \(shape) is not blocks of the \(positions) (> 0) rows the offsets describe")
        if let targets { precondition(targets.shape == [n, d], "pooledSequences: targets \(targets.shape) are not [\(n), \(d)]") }
        let copies = shape[0] / positions
        let out = Tensor.zeros([copies * n, d])
        let scale = 1 / Float(d).squareRoot()
        // The attention weights of every row, kept for the backward (the mean's are 1/length).
        let weights = Tensor.uninitialized([shape[0]])
        let (x, y, w, t) = (pointer, out.pointer, weights.pointer, targets?.pointer)
        offsets.withUnsafeBufferPointer { offsets in
            Parallelism.forEachChunk(n, costPerItem: copies * 4 * d * Swift.max(1, positions / Swift.max(1, n))) { samples in
                for s in samples {
                    let (start, end) = (Int(offsets[s]), Int(offsets[s + 1]))
                    guard end > start else { continue }
                    for c in 0..<copies {
                        let rows = c * positions + start ..< c * positions + end
                        if let t {
                            var largest = -Float.infinity
                            for r in rows {
                                w[r] = dotKernel(x + r * d, t + s * d, d) * scale
                                largest = Swift.max(largest, w[r])
                            }
                            var total: Float = 0
                            for r in rows {
                                w[r] = Foundation.exp(w[r] - largest)
                                total += w[r]
                            }
                            for r in rows { w[r] /= total }
                        } else {
                            for r in rows { w[r] = 1 / Float(rows.count) }
                        }
                        let target = y + (c * n + s) * d
                        for r in rows { addScaled(x + r * d, w[r], into: target, d) }
                    }
                }
            }
        }
        var inputs = [self]
        if let targets { inputs.append(targets) }
        return Tensor.result(out, op: "pool-sequences", inputs: inputs) { [self, targets, weights] out in
            let dy = out.grad!.pointer
            let dx = requiresGrad ? gradBuffer() : nil
            let dt = targets.flatMap { $0.requiresGrad ? $0.gradBuffer() : nil }
            let (x, w, t) = (pointer, weights.pointer, targets?.pointer)
            // Each row's g·e_r, read twice.
            let products = Tensor.uninitialized([shape[0]])
            let ge = products.pointer
            offsets.withUnsafeBufferPointer { offsets in
                Parallelism.forEachChunk(n, costPerItem: copies * 6 * d * Swift.max(1, positions / Swift.max(1, n))) { samples in
                    for s in samples {
                        let (start, end) = (Int(offsets[s]), Int(offsets[s + 1]))
                        guard end > start else { continue }
                        for c in 0..<copies {
                            let rows = c * positions + start ..< c * positions + end
                            let g = dy + (c * n + s) * d
                            // du/de_r = w_r; through the weights, ds_r = w_r (g·e_r − Σ_q w_q g·e_q).
                            var centre: Float = 0
                            if t != nil {
                                for r in rows {
                                    ge[r] = dotKernel(g, x + r * d, d)
                                    centre += w[r] * ge[r]
                                }
                            }
                            for r in rows {
                                let ds = t == nil ? 0 : w[r] * (ge[r] - centre) * scale
                                if let dx {
                                    addScaled(g, w[r], into: dx + r * d, d)
                                    if let t, ds != 0 { addScaled(t + s * d, ds, into: dx + r * d, d) }
                                }
                                if let dt, ds != 0 { addScaled(x + r * d, ds, into: dt + s * d, d) }
                            }
                        }
                    }
                }
            }
        }
    }
}
