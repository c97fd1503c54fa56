/// The affine map of a linear layer as one op: `x · W + b`.
extension Tensor {
    /// `self · weight + bias` for `self: [..., k]`, `weight: [k, n]`, `bias: [n]`, the bias
    /// added inside the product (``Gemm/affine(_:_:bias:into:m:n:k:)``), so no separate
    /// broadcast op runs; the backward adds `dX = dY · Wᵀ`, `dW = Xᵀ · dY` and
    /// `db = Σ_rows dY`.
    ///
    /// When `self` is a field gather flattened to `[N, W·d]`, or such a gather weighted per
    /// sample and field (``weighted(by:leadingFields:)``), and the tables are small next to the
    /// batch, the map is computed from per-value projections instead (see
    /// `Sources/Tensor/Ops/FieldProjection.swift`).
    public func linear(_ weight: Tensor, bias: Tensor) -> Tensor {
        affineMap(weight, bias: bias, rectified: false)
    }

    /// `max(self · weight + bias, 0)`, a linear layer and its ReLU as one op: the value of
    /// `linear(weight, bias: bias).relu()`. On the narrow product kernel the ReLU is applied as
    /// the sums are stored, so the map's output before it is never stored; the backward
    /// masks `dY` by the output and runs the products of ``linear(_:bias:)``.
    public func rectifiedLinear(_ weight: Tensor, bias: Tensor) -> Tensor {
        affineMap(weight, bias: bias, rectified: true)
    }

    private func affineMap(_ weight: Tensor, bias: Tensor, rectified: Bool) -> Tensor {
        precondition(weight.rank == 2 && lastDimension == weight.shape[0],
                     "linear: \(shape) · \(weight.shape) do not multiply")
        let (m, k, n) = (rowCount, weight.shape[0], weight.shape[1])
        precondition(bias.count == n, "linear: bias of \(bias.count) values for \(n) outputs")
        if let projected = projectedLinear(weight, bias: bias) { return rectified ? projected.relu() : projected }
        let out = Tensor.uninitialized(Array(shape.dropLast()) + [n])
        Gemm.affine(pointer, weight.pointer, bias: bias.pointer, into: out.pointer, m: m, n: n, k: k, rectified: rectified)
        return Tensor.result(out, op: rectified ? "linear-relu" : "linear", inputs: [self, weight, bias]) { [self] out in
            let dY = out.grad!.pointer
            if rectified {
                // Through the ReLU: the output's gradient where the output is positive, else 0,
                // in place (the output's gradient is done with once this runs).
                let y = out.pointer
                Parallelism.forEachChunk(m * n, costPerItem: 2) { r in
                    zipKernel(dY + r.lowerBound, y + r.lowerBound, dY + r.lowerBound, r.count) { g, y in
                        g.replacing(with: 0, where: y .<= 0)
                    }
                }
            }
            MatrixProductGradient(m: m, n: n, k: k, transposeA: false, transposeB: false)
                .accumulate(gradOut: dY, a: self, b: weight)
            if bias.requiresGrad { addRowSums(of: dY, rows: m, width: n, into: bias.gradBuffer()) }
        }
    }
}

/// Writes `bias` (`width` values) into each of the `rows` rows of `y`, before a product adds
/// onto them.
func writeBias(_ bias: UnsafePointer<Float>, intoRows rows: Int, of y: UnsafeMutablePointer<Float>, width: Int) {
    Parallelism.forEachChunk(rows, costPerItem: width) { range in
        for i in range { mapKernel(bias, y + i * width, width) { $0 } }
    }
}

/// Adds the sum of the `rows` rows of `dY` (`width` values each) to `db`: a bias's gradient.
func addRowSums(of dY: UnsafePointer<Float>, rows: Int, width: Int, into db: UnsafeMutablePointer<Float>) {
    Parallelism.forEachChunkSummed(rows, costPerItem: width, size: width, into: db) { range, sum in
        // Down the rows one block of 16 columns at a time, in four registers.
        for c in stride(from: 0, to: width, by: 16) {
            let w = min(16, width - c)
            var (s0, s1, s2, s3) = (Vec(repeating: 0), Vec(repeating: 0), Vec(repeating: 0), Vec(repeating: 0))
            var i = range.lowerBound
            while i + 4 <= range.upperBound {
                let p = dY + i * width + c
                s0 += columns(p, w)
                s1 += columns(p + width, w)
                s2 += columns(p + 2 * width, w)
                s3 += columns(p + 3 * width, w)
                i += 4
            }
            while i < range.upperBound { s0 += columns(dY + i * width + c, w); i += 1 }
            storeColumns(columns(sum + c, w) + ((s0 + s1) + (s2 + s3)), sum + c, w)
        }
    }
}

extension Tensor {
    /// Several affine maps of one input, `[x · W_j + b_j for each j]`.
    ///
    /// When `x` is a field gather computed through projections (see ``linear(_:bias:)``), the
    /// maps are narrow and there are several, they run as one: the weights side by side, one
    /// pass over the batch, the result split — so each map does not pay its own pass.
    public func linears(_ maps: [(weight: Tensor, bias: Tensor)]) -> [Tensor] {
        let widths = maps.map { $0.weight.shape[1] }
        guard maps.count > 1, widths.reduce(0, +) <= Tensor.widestMergedMaps,
              rank == 2, (fieldGather ?? weightedFields?.source)?.prefersProjection == true else {
            return maps.map { linear($0.weight, bias: $0.bias) }
        }
        let weight = Tensor.concat(maps.map(\.weight), axis: 1), bias = Tensor.concat(maps.map(\.bias), axis: 0)
        return projectedLinear(weight, bias: bias)!.split(widths, axis: 1)
    }

    /// The most output columns ``linears(_:)`` merges: beyond it one pass per map costs
    /// little more than the merged pass, and copying the weights side by side is not free.
    static let widestMergedMaps = 512
}
