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

/// Layer normalisation with its scale and shift as one op.
extension Tensor {
    /// `γ ⊙ (x − μ)/√(σ² + ε) + β` over the last axis of `self`, with `gamma` and `beta` (of one
    /// shape, ending in the width) broadcasting against `self` — the value of
    /// `standardized(epsilon:) * gamma + beta`.
    ///
    /// When the scale and shift hold one row per block of consecutive output rows (shaped
    /// `[d]`, or `[G…, 1…, d]` against an output `[G…, R…, d]`) and `self` either has the
    /// output's shape or is the same `[R…, d]` for every leading index (a layer norm
    /// conditioned per task, or per sample), the op runs fused: one pass forward, one
    /// backward, and each row of `self` is standardised once however many scales it meets.
    /// Other broadcasts are composed from the three ops.
    public func layerNormalized(gamma: Tensor, beta: Tensor, epsilon: Float = 1e-5) -> Tensor {
        precondition(gamma.shape == beta.shape, "layer norm scale \(gamma.shape) and shift \(beta.shape) differ in shape")
        guard let layout = LayerNormRows(input: shape, scale: gamma.shape) else {
            return standardized(epsilon: epsilon) * gamma + beta
        }
        let d = lastDimension, groups = layout.groups, perGroup = layout.rowsPerGroup
        let repeated = layout.inputRepeated, inputRows = layout.inputRows
        let out = Tensor.uninitialized(layout.outputShape)
        let normalized = Tensor.uninitialized([inputRows, d])
        let inverseStd = Tensor.uninitialized([inputRows])
        let (x, xh, y, rs, scales, shifts) = (pointer, normalized.pointer, out.pointer, inverseStd.pointer,
                                              gamma.pointer, beta.pointer)
        let outputsPerRow = repeated ? groups : 1
        Parallelism.forEachChunk(inputRows, costPerItem: d * (3 + outputsPerRow)) { range in
            for i in range {
                rs[i] = standardizeRow(x + i * d, into: xh + i * d, d, epsilon: epsilon)
                for k in 0..<outputsPerRow {
                    let (g, o) = repeated ? (k, k * perGroup + i) : (i / perGroup, i)
                    forEachBlock(d) { c, w in
                        let z = columns(xh + i * d + c, w) * columns(scales + g * d + c, w) + columns(shifts + g * d + c, w)
                        storeColumns(z, y + o * d + c, w)
                    }
                }
            }
        }
        return Tensor.result(out, op: "layer-norm", inputs: [self, gamma, beta]) {
            [self, gamma, beta, normalized, inverseStd] out in
            let dy = out.grad!.pointer
            let (xh, rs, scales) = (normalized.pointer, inverseStd.pointer, gamma.pointer)
            let dx = requiresGrad ? gradDestination() : nil
            let parameterCount = groups * d
            // Each part sums its rows' scale and shift gradients on its own; the parts are added after.
            let parts = Parallelism.threadCount > 1 && inputRows > 1
                && inputRows * d * (3 + 3 * outputsPerRow) >= Parallelism.minimumParallelWork
                ? min(Parallelism.threadCount, inputRows) : 1
            var sums = [Float](repeating: 0, count: parts * 2 * parameterCount)
            sums.withUnsafeMutableBufferPointer { sums in
                let sums = sums.baseAddress!
                Parallelism.run(parts: parts) { part, parts in
                    let (dGamma, dBeta) = (sums + part * 2 * parameterCount, sums + (part * 2 + 1) * parameterCount)
                    withUnsafeTemporaryAllocation(of: Float.self, capacity: d) { row in
                        let dxh = row.baseAddress!
                        for i in (inputRows * part / parts)..<(inputRows * (part + 1) / parts) {
                            let xhi = xh + i * d
                            dxh.update(repeating: 0, count: d)
                            for k in 0..<outputsPerRow {
                                let (g, o) = repeated ? (k, k * perGroup + i) : (i / perGroup, i)
                                forEachBlock(d) { c, w in
                                    let gy = columns(dy + o * d + c, w), p = g * d + c
                                    storeColumns(columns(dxh + c, w) + gy * columns(scales + p, w), dxh + c, w)
                                    storeColumns(columns(dGamma + p, w) + gy * columns(xhi + c, w), dGamma + p, w)
                                    storeColumns(columns(dBeta + p, w) + gy, dBeta + p, w)
                                }
                            }
                            guard let (gx, keep) = dx else { continue }
                            // dx = inv · (ĝ − mean(ĝ) − x̂ · mean(ĝ ⊙ x̂)), ĝ the gradient of x̂.
                            let meanG = sumKernel(dxh, d) / Float(d), meanGY = dotKernel(dxh, xhi, d) / Float(d)
                            let inverse = Vec(repeating: rs[i])
                            forEachBlock(d) { c, w in
                                var v = inverse * (columns(dxh + c, w) - meanG - columns(xhi + c, w) * meanGY)
                                if keep != 0 { v += columns(gx + i * d + c, w) }
                                storeColumns(v, gx + i * d + c, w)
                            }
                        }
                    }
                }
                for (parameter, offset) in [(gamma, 0), (beta, parameterCount)] where parameter.requiresGrad {
                    let (destination, keep) = parameter.gradDestination()
                    for j in 0..<parameterCount {
                        var total = keep != 0 ? destination[j] : 0
                        for part in 0..<parts { total += sums[part * 2 * parameterCount + offset + j] }
                        destination[j] = total
                    }
                }
            }
        }
    }
}

/// Standardises one row of `n` floats into `y`; returns `1/√(σ² + ε)`.
@inline(__always)
private func standardizeRow(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, _ n: Int, epsilon: Float) -> Float {
    let mean = sumKernel(x, n) / Float(n)
    var squares = Vec(repeating: 0)
    forEachBlock(n) { c, w in
        var centred = columns(x + c, w) - mean
        if w < 16 { centred.replace(with: 0, where: laneIndices .>= Vec(repeating: Float(w))) }
        squares += centred * centred
    }
    let inverse = 1 / ((lanesSum(squares) / Float(n)) + epsilon).squareRoot()
    forEachBlock(n) { c, w in storeColumns((columns(x + c, w) - mean) * inverse, y + c, w) }
    return inverse
}

/// 0, 1, … 15: the lane numbers, to mask a partial block.
private let laneIndices = Vec(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)

/// `body(c, w)` for the blocks of up to 16 columns of a row of `n`: start `c`, width `w`.
@inline(__always)
private func forEachBlock(_ n: Int, _ body: (_ c: Int, _ w: Int) -> Void) {
    var c = 0
    while c < n {
        body(c, min(16, n - c))
        c += 16
    }
}

/// How a layer norm's output rows meet its input and scale rows: `groups` blocks of
/// `rowsPerGroup` consecutive output rows, block `g` scaled and shifted by row `g`; the input
/// holds every output row, or one block's worth repeated for every block.
struct LayerNormRows: Equatable {
    /// The broadcast shape of the output.
    let outputShape: [Int]
    /// The number of scale rows.
    let groups: Int
    /// The number of consecutive output rows each scale row serves.
    let rowsPerGroup: Int
    /// Whether the input holds one block only, read by every group.
    let inputRepeated: Bool
    /// The number of rows of the input.
    var inputRows: Int { inputRepeated ? rowsPerGroup : groups * rowsPerGroup }

    /// The layout of `input` normalised with a scale shaped `scale`, or nil when the
    /// broadcast is of another kind.
    init?(input: [Int], scale: [Int]) {
        guard let d = input.last, d > 0, scale.last == d, let broadcast = Broadcast(input, scale) else { return nil }
        let out = broadcast.outShape, rank = out.count
        let paddedScale = Array(repeating: 1, count: rank - scale.count) + scale
        let paddedInput = Array(repeating: 1, count: rank - input.count) + input
        // The scale's leading axes: those up to its last axis of extent above 1 before the width.
        let lead = (0..<(rank - 1)).last(where: { paddedScale[$0] != 1 }).map { $0 + 1 } ?? 0
        guard paddedScale[0..<lead] == out[0..<lead] else { return nil }
        let repeated = paddedInput != out
        guard !repeated || paddedInput[0..<lead].allSatisfy({ $0 == 1 }) && paddedInput[lead...] == out[lead...] else {
            return nil
        }
        outputShape = out
        groups = out[0..<lead].reduce(1, *)
        rowsPerGroup = out[lead..<(rank - 1)].reduce(1, *)
        inputRepeated = repeated
        guard groups * rowsPerGroup > 0 else { return nil }
    }
}
