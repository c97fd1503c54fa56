import CPrefetch

/// Batch normalisation as one op: column statistics, normalisation, scale and shift (and a
/// ReLU after them, when asked), and a fused backward. Both walk units of 16 columns down the
/// rows; a unit's first pass copies what it reads into a contiguous strip, which the later
/// passes read instead of the batch's rows (a page or more apart in wide layers, where a
/// unit's rows did not all stay in the core's cache between passes).
extension Tensor {
    /// Batch normalisation of `self: [G…, N, D]`: every column of every leading index is
    /// standardised over the N rows — with the batch's own mean and biased variance, or with
    /// `statistics` when given (evaluation) — then multiplied by `gamma` and shifted by `beta`
    /// (each holding G·D values: one per leading index and column, e.g. shaped `[D]` or
    /// `[G…, 1, D]`). With `rectified`, the result then goes through a ReLU in the same pass:
    /// the normalised tensor is never stored, and the backward recomputes where it was positive.
    ///
    /// Returns the output with the statistics used, each `[G·D]`: the batch's means and
    /// biased variances (for running averages) or the given ones. The statistics never get a
    /// gradient.
    ///
    /// With `overwriting` (only with `statistics`, and only for a tensor whose value no one
    /// else needs, as a product's fresh result in scoring), the output is written over `self`.
    ///
    /// With `replicas` (batch statistics only), `self` is one replica's share of a global batch
    /// of `replicas.rows` rows: the means and variances, and in the backward the column sums
    /// of the output gradient, are summed over every replica, so that each replica computes
    /// its rows as one process computes them in the whole batch.
    public func batchNormalized(
        gamma: Tensor, beta: Tensor, statistics: (mean: Tensor, variance: Tensor)? = nil, epsilon: Float = 1e-5,
        rectified: Bool = false, overwriting: Bool = false, replicas: (sum: any CrossReplicaSum, rows: Int)? = nil
    ) -> (output: Tensor, mean: Tensor, variance: Tensor) {
        let d = lastDimension, n = shape[rank - 2], groups = count / max(1, n * d)
        precondition(gamma.count == groups * d && beta.count == groups * d,
                     "batch norm of \(shape) needs \(groups * d) scales and shifts, got \(gamma.count) and \(beta.count)")
        let batchStatistics = statistics == nil
        precondition(!overwriting || !batchStatistics, "only a norm with given statistics may overwrite its input")
        precondition(!overwriting || !(Autograd.isRecording && requiresGrad), "overwriting a tensor the graph needs")
        let mean = statistics?.mean ?? Tensor.uninitialized([groups * d])
        let variance = statistics?.variance ?? Tensor.uninitialized([groups * d])
        precondition(mean.count == groups * d && variance.count == groups * d, "statistics must hold \(groups * d) values")
        let inverseStd = Tensor.uninitialized([groups * d])
        let out = overwriting ? self : Tensor.uninitialized(shape)
        // A unit of work is one leading index and up to 16 columns, walked down all N rows.
        let blocks = (d + 15) / 16, units = groups * blocks
        let (x, y, means, variances, inverses) = (pointer, out.pointer, mean.pointer, variance.pointer, inverseStd.pointer)
        let (scales, shifts) = (gamma.pointer, beta.pointer)
        precondition(replicas == nil || batchStatistics, "replicas only combine batch statistics")
        if let replicas {
            columnMoments(of: x, groups: groups, rows: n, columns: d, into: means, variances, across: replicas)
            for k in 0..<groups * d { inverses[k] = 1 / (variances[k] + epsilon).squareRoot() }
            applyColumnAffine(of: x, into: y, groups: groups, rows: n, columns: d, inverseStd: inverses, mean: means,
                              gamma: scales, beta: shifts, rectified: rectified)
        } else if batchStatistics {
            Parallelism.forEachChunk(units, costPerItem: n * 48) { range in
                let strip = UnsafeMutablePointer<Vec>.allocate(capacity: n)
                defer { strip.deallocate() }
                for unit in range {
                    let (g, c) = (unit / blocks, unit % blocks * 16)
                    let w = min(16, d - c), k = g * d + c, base = g * n * d + c
                    var sum = Vec(repeating: 0)
                    for i in 0..<n {
                        prefetchRow(x + base, i, rows: n, stride: d)
                        strip[i] = columns(x + base + i * d, w)
                        sum += strip[i]
                    }
                    let m = sum / Float(n)
                    var squares = Vec(repeating: 0)
                    for i in 0..<n {
                        let centred = strip[i] - m
                        squares += centred * centred
                    }
                    let v = squares / Float(n)
                    storeColumns(m, means + k, w)
                    storeColumns(v, variances + k, w)
                    let inverse = 1 / (v + epsilon).squareRoot()
                    storeColumns(inverse, inverses + k, w)
                    let scale = inverse * columns(scales + k, w)
                    let shift = columns(shifts + k, w) - m * scale
                    for i in 0..<n {
                        let z = strip[i] * scale + shift
                        storeColumns(rectified ? z.replacing(with: 0, where: z .< 0) : z, y + base + i * d, w)
                    }
                }
            }
        } else {
            for k in 0..<groups * d { inverses[k] = 1 / (variances[k] + epsilon).squareRoot() }
            applyColumnAffine(of: x, into: y, groups: groups, rows: n, columns: d, inverseStd: inverses, mean: means,
                              gamma: scales, beta: shifts, rectified: rectified)
        }
        let result = Tensor.result(out, op: rectified ? "batchNormReLU" : "batchNorm", inputs: [self, gamma, beta]) {
            [self, gamma, beta, mean, inverseStd, replicas] out in
            // dβ = Σ dy, dγ = Σ dy·x̂; with batch statistics
            // dx = γ·inv·(dy − mean(dy) − x̂·mean(dy·x̂)), with fixed ones dx = γ·inv·dy.
            // Rectified, dy is first zeroed where γ·x̂ + β ≤ 0.
            let gy = out.grad!.pointer
            let (gx, gxBeta): (UnsafeMutablePointer<Float>?, Float) = self.requiresGrad ? self.gradDestination() : (nil, 0)
            let gGamma = gamma.requiresGrad ? gamma.gradBuffer() : nil
            let gBeta = beta.requiresGrad ? beta.gradBuffer() : nil
            let (x, means, inverses, scales, shifts) = (self.pointer, mean.pointer, inverseStd.pointer, gamma.pointer, beta.pointer)
            if let replicas {
                replicaBatchNormBackward(
                    x: x, outputGradient: gy, into: gx, accumulating: gxBeta != 0, gGamma: gGamma, gBeta: gBeta,
                    groups: groups, rows: n, columns: d, mean: means, inverseStd: inverses, gamma: scales, beta: shifts,
                    rectified: rectified, across: replicas)
                out.storage.recompute = nil
                return
            }
            Parallelism.forEachChunk(units, costPerItem: n * 48) { range in
                // The unit's inputs, then its output gradients (ReLU applied), for the second pass.
                let strip = UnsafeMutablePointer<Vec>.allocate(capacity: 2 * n)
                defer { strip.deallocate() }
                for unit in range {
                    let (g, c) = (unit / blocks, unit % blocks * 16)
                    let w = min(16, d - c), k = g * d + c, base = g * n * d + c
                    let (m, inverse) = (columns(means + k, w), columns(inverses + k, w))
                    // The forward's affine map, to find where its ReLU cut the output.
                    let scale = inverse * columns(scales + k, w)
                    let shift = columns(shifts + k, w) - m * scale
                    // The output gradient at row i (input `xi`), zeroed where a ReLU cut the output.
                    @inline(__always) func outputGradient(_ i: Int, _ xi: Vec) -> Vec {
                        let dy = columns(gy + base + i * d, w)
                        return rectified ? dy.replacing(with: 0, where: xi * scale + shift .<= 0) : dy
                    }
                    var sum = Vec(repeating: 0), weighted = Vec(repeating: 0)
                    for i in 0..<n {
                        prefetchRow(x + base, i, rows: n, stride: d)
                        prefetchRow(gy + base, i, rows: n, stride: d)
                        let xi = columns(x + base + i * d, w)
                        let dy = outputGradient(i, xi)
                        (strip[i], strip[n + i]) = (xi, dy)
                        sum += dy
                        weighted += dy * (xi - m) * inverse
                    }
                    if let gBeta { storeColumns(columns(gBeta + k, w) + sum, gBeta + k, w) }
                    if let gGamma { storeColumns(columns(gGamma + k, w) + weighted, gGamma + k, w) }
                    guard let gx else { continue }
                    let (meanDy, meanDyX) = batchStatistics
                        ? (sum / Float(n), weighted / Float(n)) : (Vec(repeating: 0), Vec(repeating: 0))
                    for i in 0..<n {
                        let (normalized, dy) = ((strip[i] - m) * inverse, strip[n + i])
                        let p = gx + base + i * d
                        let previous = gxBeta == 0 ? Vec(repeating: 0) : columns(p, w)
                        storeColumns(previous + scale * (dy - meanDy - normalized * meanDyX), p, w)
                    }
                }
            }
            // Every reader's backward has run, and after the backward the parameters move: from
            // now on dropped values could not be made again as they were.
            out.storage.recompute = nil
        }
        if result.requiresGrad {
            // A training step may drop the output until its backward readers need it (see
            // `TensorStorage.dropValues()`); it is made again from what the backward keeps anyway,
            // with the forward's own per-column arithmetic, so it comes back bit for bit.
            out.storage.recompute = { [self, gamma, beta, mean, inverseStd] buffer in
                applyColumnAffine(of: self.pointer, into: buffer, groups: groups, rows: n, columns: d,
                                  inverseStd: inverseStd.pointer, mean: mean.pointer, gamma: gamma.pointer,
                                  beta: beta.pointer, rectified: rectified)
            }
        }
        return (result, mean, variance)
    }
}

/// The column means and biased variances of `x: [groups, rows, columns]` over the rows of every
/// replica (`replicas.rows` in all), written to `mean` and `variance` (`groups · columns` each):
/// the replicas' column sums give the means, then their sums of squares about those means the
/// variances — the two passes one process makes over the whole batch.
private func columnMoments(
    of x: UnsafePointer<Float>, groups: Int, rows n: Int, columns d: Int,
    into mean: UnsafeMutablePointer<Float>, _ variance: UnsafeMutablePointer<Float>,
    across replicas: (sum: any CrossReplicaSum, rows: Int)
) {
    let blocks = (d + 15) / 16, total = Float(replicas.rows)
    /// Σ_i (x_i − c)^p per column, for p = 1 (c = 0) or p = 2 (c the mean).
    func columnSums(into target: UnsafeMutablePointer<Float>, squaredAbout centre: UnsafePointer<Float>?) {
        Parallelism.forEachChunk(groups * blocks, costPerItem: n * 16) { range in
            for unit in range {
                let (g, c) = (unit / blocks, unit % blocks * 16)
                let w = min(16, d - c), k = g * d + c, base = g * n * d + c
                let m = centre.map { columns($0 + k, w) } ?? Vec(repeating: 0)
                var sum = Vec(repeating: 0)
                for i in 0..<n {
                    let value = columns(x + base + i * d, w)
                    sum += centre == nil ? value : (value - m) * (value - m)
                }
                storeColumns(sum, target + k, w)
            }
        }
    }
    columnSums(into: mean, squaredAbout: nil)
    replicas.sum.sumOverReplicas(UnsafeMutableBufferPointer(start: mean, count: groups * d))
    for k in 0..<groups * d { mean[k] /= total }
    columnSums(into: variance, squaredAbout: mean)
    replicas.sum.sumOverReplicas(UnsafeMutableBufferPointer(start: variance, count: groups * d))
    for k in 0..<groups * d { variance[k] /= total }
}

/// The backward of a batch norm whose statistics came from every replica's rows: the output
/// gradient's column sums `Σ dy` and `Σ dy·x̂` are summed over the replicas (their means taken
/// over `replicas.rows`) before `dx = γ·inv·(dy − mean(dy) − x̂·mean(dy·x̂))`; `dγ` and `dβ`
/// get this replica's own sums, as every parameter gradient does before the replicas add them.
private func replicaBatchNormBackward(
    x: UnsafePointer<Float>, outputGradient gy: UnsafePointer<Float>, into gx: UnsafeMutablePointer<Float>?,
    accumulating: Bool, gGamma: UnsafeMutablePointer<Float>?, gBeta: UnsafeMutablePointer<Float>?,
    groups: Int, rows n: Int, columns d: Int, mean: UnsafePointer<Float>, inverseStd: UnsafePointer<Float>,
    gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, rectified: Bool,
    across replicas: (sum: any CrossReplicaSum, rows: Int)
) {
    let blocks = (d + 15) / 16, units = groups * blocks, width = groups * d, total = Float(replicas.rows)
    let sums = Tensor.uninitialized([2 * width])
    let (sumDy, sumDyX) = (sums.pointer, sums.pointer + width)
    /// The unit's (g, c, w, k, base), its mean and inverse deviation, and the forward's affine map.
    func unitGeometry(_ unit: Int) -> (w: Int, k: Int, base: Int, m: Vec, inverse: Vec, scale: Vec, shift: Vec) {
        let (g, c) = (unit / blocks, unit % blocks * 16)
        let w = min(16, d - c), k = g * d + c
        let (m, inverse) = (columns(mean + k, w), columns(inverseStd + k, w))
        let scale = inverse * columns(gamma + k, w)
        return (w, k, g * n * d + c, m, inverse, scale, columns(beta + k, w) - m * scale)
    }
    func dy(_ p: UnsafePointer<Float>, _ xi: Vec, _ u: (w: Int, k: Int, base: Int, m: Vec, inverse: Vec, scale: Vec, shift: Vec)) -> Vec {
        let value = columns(p, u.w)
        return rectified ? value.replacing(with: 0, where: xi * u.scale + u.shift .<= 0) : value
    }
    Parallelism.forEachChunk(units, costPerItem: n * 32) { range in
        for unit in range {
            let u = unitGeometry(unit)
            var sum = Vec(repeating: 0), weighted = Vec(repeating: 0)
            for i in 0..<n {
                let xi = columns(x + u.base + i * d, u.w)
                let g = dy(gy + u.base + i * d, xi, u)
                sum += g
                weighted += g * (xi - u.m) * u.inverse
            }
            storeColumns(sum, sumDy + u.k, u.w)
            storeColumns(weighted, sumDyX + u.k, u.w)
            if let gBeta { storeColumns(columns(gBeta + u.k, u.w) + sum, gBeta + u.k, u.w) }
            if let gGamma { storeColumns(columns(gGamma + u.k, u.w) + weighted, gGamma + u.k, u.w) }
        }
    }
    replicas.sum.sumOverReplicas(UnsafeMutableBufferPointer(start: sums.pointer, count: 2 * width))
    guard let gx else { return }
    Parallelism.forEachChunk(units, costPerItem: n * 32) { range in
        for unit in range {
            let u = unitGeometry(unit)
            let (meanDy, meanDyX) = (columns(sumDy + u.k, u.w) / total, columns(sumDyX + u.k, u.w) / total)
            for i in 0..<n {
                let xi = columns(x + u.base + i * d, u.w)
                let normalized = (xi - u.m) * u.inverse
                let p = gx + u.base + i * d
                let previous = accumulating ? columns(p, u.w) : Vec(repeating: 0)
                storeColumns(previous + u.scale * (dy(gy + u.base + i * d, xi, u) - meanDy - normalized * meanDyX), p, u.w)
            }
        }
    }
}

/// Asks the cache for row `i + 32` of a column walk down `rows` rows `stride` floats apart
/// (the last row near the end). A unit of a norm reads 64 bytes per row, a page or more apart
/// in wide layers, where the hardware's own prefetchers do not follow; its first pass over
/// the rows waited on memory for most of its time before.
@inline(__always) private func prefetchRow(_ column: UnsafePointer<Float>, _ i: Int, rows: Int, stride: Int) {
    dtrn_prefetch(column + min(i + 32, rows - 1) * stride)
}

/// Writes `x · scale + shift` (through a ReLU when `rectified`) for `x: [groups, rows, columns]`
/// into `y`, with `scale = inverseStd · gamma` and `shift = beta − mean · scale` per leading
/// index and column (`groups · columns` values each): a batch norm with known statistics,
/// applied row by row.
private func applyColumnAffine(
    of x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, groups: Int, rows n: Int, columns d: Int,
    inverseStd: UnsafePointer<Float>, mean: UnsafePointer<Float>, gamma: UnsafePointer<Float>,
    beta: UnsafePointer<Float>, rectified: Bool
) {
    let affine = Tensor.uninitialized([2, groups * d])
    let (columnScales, columnShifts) = (affine.pointer, affine.pointer + groups * d)
    for k in 0..<groups * d {
        columnScales[k] = inverseStd[k] * gamma[k]
        columnShifts[k] = beta[k] - mean[k] * columnScales[k]
    }
    Parallelism.forEachChunk(groups * n, costPerItem: d * 2) { rows in
        for row in rows {
            let k = row / n * d, offset = row * d
            var c = 0
            while c < d {
                let w = min(16, d - c)
                let z = columns(x + offset + c, w) * columns(columnScales + k + c, w) + columns(columnShifts + k + c, w)
                storeColumns(rectified ? z.replacing(with: 0, where: z .< 0) : z, y + offset + c, w)
                c += 16
            }
        }
    }
}
