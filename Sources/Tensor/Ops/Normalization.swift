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
    ///
    /// With `residual` (of `self`'s shape) the op normalises `self + residual`, the sum of a
    /// post-norm Transformer block: the sum is made row by row where the norm reads it and
    /// its gradient goes to both terms, so no separate sum is stored or read back.
    public func layerNormalized(plus residual: Tensor? = nil, gamma: Tensor, beta: Tensor, epsilon: Float = 1e-5) -> Tensor {
        precondition(gamma.shape == beta.shape, "layer norm scale \(gamma.shape) and shift \(beta.shape) differ in shape")
        precondition(residual.map { $0.shape == shape } ?? true,
                     "layer norm of a sum: \(shape) and \(residual?.shape ?? []) differ in shape")
        guard let layout = LayerNormRows(input: shape, scale: gamma.shape) else {
            return (residual.map { self + $0 } ?? self).standardized(epsilon: epsilon) * gamma + beta
        }
        let d = lastDimension, groups = layout.groups, perGroup = layout.rowsPerGroup
        let repeated = layout.inputRepeated, inputRows = layout.inputRows
        let out = Tensor.uninitialized(layout.outputShape)
        let normalized = Tensor.uninitialized([inputRows, d])
        let inverseStd = Tensor.uninitialized([inputRows])
        let (x, xh, y, rs, scales, shifts) = (pointer, normalized.pointer, out.pointer, inverseStd.pointer,
                                              gamma.pointer, beta.pointer)
        let added = residual?.pointer
        let outputsPerRow = repeated ? groups : 1
        Parallelism.forEachChunk(inputRows, costPerItem: d * (3 + outputsPerRow)) { range in
            for i in range {
                let xhi = xh + i * d
                // Row i's normalised values, from the values `row(c, w)` gives block by block.
                @inline(__always) func normalize(_ row: (_ c: Int, _ w: Int) -> Vec) {
                    let (mean, inverse) = rowStatistics(d, epsilon: epsilon, row)
                    rs[i] = inverse
                    // Each block of x̂ is scaled and shifted for every group while in registers.
                    forEachBlock(d) { c, w in
                        let v = (row(c, w) - mean) * inverse
                        storeColumns(v, xhi + c, w)
                        for k in 0..<outputsPerRow {
                            let (g, o) = repeated ? (k, k * perGroup + i) : (i / perGroup, i)
                            storeColumns(v * columns(scales + g * d + c, w) + columns(shifts + g * d + c, w), y + o * d + c, w)
                        }
                    }
                }
                let xi = x + i * d
                if let added {
                    let ri = added + i * d
                    normalize { c, w in columns(xi + c, w) + columns(ri + c, w) }
                } else {
                    normalize { c, w in columns(xi + c, w) }
                }
            }
        }
        return Tensor.result(out, op: "layer-norm", inputs: [self, gamma, beta] + (residual.map { [$0] } ?? [])) {
            [self, gamma, beta, residual, normalized, inverseStd] out in
            let dy = out.grad!.pointer
            let (xh, rs, scales) = (normalized.pointer, inverseStd.pointer, gamma.pointer)
            // The input's gradient, and the residual's, which is the same (written in that
            // order, so a residual that is the input itself gets both).
            let destinations = [self, residual].compactMap { $0 }.filter(\.requiresGrad).map { $0.gradDestination() }
            let (firstGradient, secondGradient) = (destinations.first, destinations.dropFirst().first)
            let parameterCount = groups * d
            // The scale's and the shift's gradients, summed over every row.
            var sums = [Float](repeating: 0, count: 2 * parameterCount)
            sums.withUnsafeMutableBufferPointer { sums in
                let sums = sums.baseAddress!
                Parallelism.forEachChunkSummed(inputRows, costPerItem: d * (3 + 3 * outputsPerRow),
                                               size: 2 * parameterCount, into: sums) { range, partial in
                    let (dGamma, dBeta) = (partial, partial + parameterCount)
                    // Rows in tiles: per block of columns and group, the scale and shift
                    // gradients add up in registers while ĝ, the gradient of x̂, collects in the tile.
                    withUnsafeTemporaryAllocation(of: Float.self, capacity: layerNormTileRows * d) { tile in
                        let dxh = tile.baseAddress!
                        for start in stride(from: range.lowerBound, to: range.upperBound, by: layerNormTileRows) {
                            let end = min(start + layerNormTileRows, range.upperBound)
                            let tileGroups = repeated ? 0..<groups : (start / perGroup)..<((end - 1) / perGroup + 1)
                            forEachBlock(d) { c, w in
                                for g in tileGroups {
                                    let rows = repeated ? start..<end : max(start, g * perGroup)..<min(end, (g + 1) * perGroup)
                                    let (scale, first) = (columns(scales + g * d + c, w), !repeated || g == 0)
                                    var (sumGamma, sumBeta) = (Vec(repeating: 0), Vec(repeating: 0))
                                    for i in rows {
                                        let gy = columns(dy + ((repeated ? g * perGroup : 0) + i) * d + c, w)
                                        sumGamma += gy * columns(xh + i * d + c, w)
                                        sumBeta += gy
                                        let t = dxh + (i - start) * d + c
                                        storeColumns(first ? gy * scale : columns(t, w) + gy * scale, t, w)
                                    }
                                    let p = g * d + c
                                    storeColumns(columns(dGamma + p, w) + sumGamma, dGamma + p, w)
                                    storeColumns(columns(dBeta + p, w) + sumBeta, dBeta + p, w)
                                }
                            }
                            guard let firstGradient else { continue }
                            for i in start..<end {
                                // dx = inv · (ĝ − mean(ĝ) − x̂ · mean(ĝ ⊙ x̂)).
                                let (xhi, dxhi) = (xh + i * d, dxh + (i - start) * d)
                                let meanG = sumKernel(dxhi, d) / Float(d), meanGY = dotKernel(dxhi, xhi, d) / Float(d)
                                let inverse = Vec(repeating: rs[i])
                                forEachBlock(d) { c, w in
                                    let v = inverse * (columns(dxhi + c, w) - meanG - columns(xhi + c, w) * meanGY)
                                    let p = i * d + c
                                    let (gx, keep) = firstGradient
                                    storeColumns(keep != 0 ? v + columns(gx + p, w) : v, gx + p, w)
                                    if let (gr, keep) = secondGradient { storeColumns(keep != 0 ? v + columns(gr + p, w) : v, gr + p, w) }
                                }
                            }
                        }
                    }
                }
                for (parameter, offset) in [(gamma, 0), (beta, parameterCount)] where parameter.requiresGrad {
                    accumulate(sums + offset, into: parameter.gradBuffer(), parameterCount)
                }
            }
        }
    }
}

/// The rows of a layer norm's backward tile: ĝ for 128 rows of 16 floats fills 8 KB.
private let layerNormTileRows = 128

/// The mean of one row of `n` floats, read block by block (`row(c, w)`, zeros past `w`), and
/// `1/√(σ² + ε)`, its biased variance σ² taken around the mean.
@inline(__always)
private func rowStatistics(_ n: Int, epsilon: Float, _ row: (_ c: Int, _ w: Int) -> Vec) -> (mean: Float, inverse: Float) {
    var total = Vec(repeating: 0)
    forEachBlock(n) { c, w in total += row(c, w) }
    let mean = lanesSum(total) / Float(n)
    var squares = Vec(repeating: 0)
    forEachBlock(n) { c, w in
        var centred = row(c, w) - mean
        if w < 16 { centred.replace(with: 0, where: laneIndices .>= Vec(repeating: Float(w))) }
        squares += centred * centred
    }
    return (mean, 1 / ((lanesSum(squares) / Float(n)) + epsilon).squareRoot())
}

/// 0, 1, … 15: the lane numbers, to mask a partial block.
private let laneIndices = Vec(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)

/// `body(c, w)` for the blocks of up to 16 columns of a row of `n`: start `c`, width `w`.
/// A row of exactly one vector (a Transformer of width 16) is its own case, compiled with
/// constant start and width.
@inline(__always)
private func forEachBlock(_ n: Int, _ body: (_ c: Int, _ w: Int) -> Void) {
    if n == 16 { return body(0, 16) }
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
