/// A linear map over gathered field embeddings, computed from per-value projections.
///
/// When `x: [N, W·d]` is a field gather (``Tensor/gatherFields(_:ids:rows:numeric:)``,
/// possibly reshaped), `x · A` is a sum over fields: `Σ_f e_f(i) · A_f`, where `A_f` is the
/// block of `d` rows of `A` that field f meets. A batch of N samples names at most
/// `min(N, V_f)` distinct values of field f, so projecting each distinct value once,
/// `P_f = E_f[used] · A_f`, and adding the rows `P_f[id]` per sample costs `U·d·n + N·W·n`
/// instead of `N·W·d·n` — for Census-Income's few hundred values and a batch of 1,024, about
/// a tenth. The backward mirrors it: the output gradient is summed per distinct value
/// (`G_f`), then `dA_f = E_f[used]ᵀ · G_f` and `dE_f[used] = G_f · A_fᵀ`. Numeric fields are
/// values of one row each, scaled by the sample's number. Consecutive fields of small
/// vocabularies add one row per combination of their values (``JointValues``).
///
/// The result equals the product of the gathered matrix up to the order of float additions.
final class FieldGather {
    /// One table per categorical field, `[V_f, d]`.
    let tables: [Tensor]
    /// The categorical ids, row-major `[rows, tables.count]`.
    let ids: [Int32]
    /// The number of samples.
    let rows: Int
    /// The numeric fields' values `[rows, G]` and vectors `[G, d]`, when present.
    let numeric: (values: Tensor, vectors: Tensor)?
    /// The embedding width d.
    let dimension: Int
    /// The distinct values, compacted on first use and shared by every map reading the gather.
    private(set) lazy var compact = CompactValues(self)
    /// The combinations of small fields' values, made on first use by the unweighted maps.
    private(set) lazy var joint = JointValues(self, compact: compact)

    init(tables: [Tensor], ids: [Int32], rows: Int, numeric: (values: Tensor, vectors: Tensor)?, dimension: Int) {
        (self.tables, self.ids, self.rows, self.numeric, self.dimension) = (tables, ids, rows, numeric, dimension)
    }

    /// The number of numeric fields.
    var numericCount: Int { numeric?.vectors.shape[0] ?? 0 }
    /// The number of fields W (categorical, then numeric).
    var width: Int { tables.count + numericCount }

    /// Whether a linear map is cheaper through projections than as a product of the gathered
    /// matrix. Per output column the product costs `N·W·d` multiply-adds; the projections at
    /// most `(V + G)·d` (V the tables' rows) plus `N·W` row additions, each counted as
    /// two multiply-adds (they stream from memory where the product's operands stay in cache).
    ///
    /// In training the batch decides. In scoring the choice is made as for a batch of at least
    /// ``scoringRows`` rows, so that it, and with it a row's bits, does not depend on how many
    /// rows are scored together: a row alone gets the bits it gets in any batch.
    var prefersProjection: Bool {
        let rows = Autograd.isEnabled ? rows : Swift.max(rows, FieldGather.scoringRows)
        let vocabulary = tables.reduce(0) { $0 + $1.shape[0] }
        return (vocabulary + numericCount) * dimension + 2 * rows * width < rows * width * dimension
    }

    /// The batch size scoring decides for (see ``prefersProjection``).
    static let scoringRows = 1024
}

/// The distinct values a batch names, per field, compacted: field f's values are compact rows
/// `offsets[f] ..< offsets[f + 1]` (categorical fields first, then one row per numeric field),
/// `tableRows` names each categorical compact row's table row, and `slots[i · F + f]` the
/// compact row of sample i's value of categorical field f.
struct CompactValues {
    private(set) var offsets: [Int]
    private(set) var tableRows: [Int32]
    private(set) var slots: [Int32]
    /// The compact rows' embeddings, `[U + G, d]`.
    private(set) var embeddings: [Float]

    init(_ source: FieldGather) {
        let (fields, rows, d) = (source.tables.count, source.rows, source.dimension)
        offsets = [0]
        tableRows = []
        slots = [Int32](repeating: 0, count: rows * fields)
        var seen: [Int32] = []
        for f in 0..<fields {
            seen.removeAll(keepingCapacity: true)
            seen.append(contentsOf: repeatElement(-1, count: source.tables[f].shape[0]))
            for i in 0..<rows {
                let id = Int(source.ids[i * fields + f])
                if seen[id] < 0 {
                    seen[id] = Int32(tableRows.count)
                    tableRows.append(Int32(id))
                }
                slots[i * fields + f] = seen[id]
            }
            offsets.append(tableRows.count)
        }
        let numericCount = source.numericCount
        for g in 0..<numericCount { offsets.append(tableRows.count + g + 1) }
        var embeddings = [Float](repeating: 0, count: (tableRows.count + numericCount) * d)
        let (offsets, tableRows) = (offsets, tableRows)
        embeddings.withUnsafeMutableBufferPointer { e in
            for f in 0..<fields {
                let table = source.tables[f].pointer
                for r in offsets[f] ..< offsets[f + 1] {
                    (e.baseAddress! + r * d).update(from: table + Int(tableRows[r]) * d, count: d)
                }
            }
            if let vectors = source.numeric?.vectors {
                (e.baseAddress! + tableRows.count * d).update(from: vectors.pointer, count: numericCount * d)
            }
        }
        self.embeddings = embeddings
    }

    /// The number of compact rows, numeric ones included.
    var count: Int { offsets.last! }

    /// The compact rows of field f.
    func rows(of f: Int) -> (first: Int, count: Int) { (offsets[f], offsets[f + 1] - offsets[f]) }
}

/// A field gather whose fields are each scaled by a weight per sample, followed by further
/// columns: `x = [a_1·e_1 … a_W·e_W, a_W+1·v_1 …]` (DTRN's refined bottom representation,
/// the gather's fields and the interests, gated). A linear map over it is the weighted sum of
/// the fields' projections, `Σ_f a_f · P_f[id_f]`, plus the product of the further columns.
final class WeightedFields {
    /// The gather of the first W fields.
    let source: FieldGather
    /// The weights `[N, K]`, K ≥ W: the first W scale the gather's fields.
    let weights: Tensor

    init(source: FieldGather, weights: Tensor) {
        (self.source, self.weights) = (source, weights)
    }
}

extension Tensor {
    /// `self: [N, K, d]` with each of its K rows scaled by `weights: [N, K]`, flattened to
    /// `[N, K·d]`: the same as `(self * weights.reshaped([N, K, 1])).reshaped([N, K·d])`.
    ///
    /// When the first fields of `self` are the field gather `fields` (`[N, W, d]`, W ≤ K, as
    /// ``gatherFields(_:ids:rows:numeric:)`` made it), linear maps reading the result run
    /// through per-value projections with the weights folded in, as they do for the gather
    /// itself (see ``linear(_:bias:)``).
    public func weighted(by weights: Tensor, leadingFields fields: Tensor) -> Tensor {
        precondition(rank == 3 && weights.shape == [shape[0], shape[1]],
                     "weighted: weights \(weights.shape) do not match \(shape)")
        let (n, k) = (shape[0], shape[1])
        let out = (self * weights.reshaped([n, k, 1])).reshaped([n, k * shape[2]])
        if let source = fields.fieldGather, source.rows == n, source.width <= k, source.dimension == shape[2] {
            out.weightedFields = WeightedFields(source: source, weights: weights)
        }
        return out
    }

    /// `self · weight + bias` through per-value projections, when `self` holds a field gather
    /// (plain or weighted) for which they are cheaper than the product; nil otherwise.
    func projectedLinear(_ weight: Tensor, bias: Tensor) -> Tensor? {
        guard rank == 2 else { return nil }
        if let source = fieldGather, source.prefersProjection {
            return Tensor.projectedFields(source, weight: weight, bias: bias)
        }
        guard let weighted = weightedFields, weighted.source.prefersProjection else { return nil }
        let split = weighted.source.width * weighted.source.dimension, k = weight.shape[0]
        let fields = Tensor.projectedFields(weighted.source, weight: split == k ? weight : weight.rows(0..<split), bias: bias,
                                            fieldWeights: weighted.weights)
        guard split < k else { return fields }
        return fields + slice(axis: 1, split..<k).matmul(weight.rows(split..<k))
    }

    /// `x · weight + bias` for `x` the field gather `source`, flattened to `[N, W·d]`, through
    /// per-value projections (see ``FieldGather``); the inputs are the tables, the numeric
    /// values and vectors, the weight and the bias — the gathered matrix is not read. With
    /// `fieldWeights` (`[N, K]`, K ≥ W), field f of sample i is scaled by `fieldWeights[i, f]`,
    /// which is then an input too.
    static func projectedFields(_ source: FieldGather, weight: Tensor, bias: Tensor, fieldWeights: Tensor? = nil) -> Tensor {
        let (rows, fields, width, d) = (source.rows, source.tables.count, source.width, source.dimension)
        let n = weight.shape[1]
        let compact = source.compact
        let u = compact.count, numericCount = source.numericCount, numericRow = u - numericCount
        // Rows of the projections (and of their gradient) are padded to whole vectors.
        let stride = (n + 15) / 16 * 16
        // Unweighted and wide, a sample adds one row per group of small fields (see
        // `JointValues`), the joint rows following the compact ones; otherwise one per field.
        let joint = fieldWeights == nil && stride >= wideRow ? source.joint : nil
        let (readSlots, reads) = joint.map { ($0.slots, $0.groups.count) } ?? (compact.slots, fields)
        // P: every distinct value projected through its field's block of the weight, then the
        // joint rows summed from them.
        let projections = Tensor.uninitialized([u + (joint?.count ?? 0), stride])
        let (p, w) = (projections.pointer, weight.pointer)
        compact.embeddings.withUnsafeBufferPointer { e in
            forEachColumnBlock(n, cost: u * d) { columns in
                for f in 0..<width {
                    let (first, count) = compact.rows(of: f)
                    Gemm.onThisThread(e.baseAddress! + first * d, lda: d, transposeA: false,
                                      w + f * d * n + columns.lowerBound, ldb: n, transposeB: false,
                                      into: p + first * stride + columns.lowerBound, ldc: stride,
                                      m: count, n: columns.count, k: d, beta: 0)
                }
                joint?.sumMembers(in: p, stride: stride, columns: columns)
            }
        }
        // y_i = b + Σ_f P[slot(i, f)] + Σ_g x_ig · P[numeric g].
        let out = Tensor.uninitialized([rows, n])
        let (y, b) = (out.pointer, bias.pointer)
        let values = source.numeric.map { UnsafePointer($0.values.pointer) }
        let scales = fieldWeights.map { UnsafePointer($0.pointer) }, scaleStride = fieldWeights?.shape[1] ?? 0
        if let fieldWeights {
            precondition(fieldWeights.shape == [rows, scaleStride] && scaleStride >= width,
                         "projectedFields: field weights \(fieldWeights.shape) for \(rows) rows of \(width) fields")
        }
        readSlots.withUnsafeBufferPointer { slots in
            Parallelism.forEachChunk(rows, costPerItem: width * n) { range in
                for i in range {
                    let row = ProjectedRow(projections: p, stride: stride, slots: slots.baseAddress! + i * reads,
                                           fields: reads, numeric: values.map { $0 + i * numericCount },
                                           numericStart: numericRow, numericCount: numericCount,
                                           scales: scales.map { $0 + i * scaleStride })
                    let yi = y + i * n
                    var c = 0
                    while c + 64 <= n {
                        row.sum64(bias: b + c, column: c, into: yi + c)
                        c += 64
                    }
                    while c < n {
                        let lanes = min(16, n - c)
                        storePartial(row.sum16(from: loadPartial(b + c, lanes), column: c), yi + c, lanes)
                        c += 16
                    }
                }
            }
        }
        let numericInputs = source.numeric.map { [$0.values, $0.vectors] } ?? []
        let kept = source.numeric?.values.requiresGrad == true || fieldWeights?.requiresGrad == true ? projections : nil
        let inputs = source.tables + numericInputs + [weight, bias] + (fieldWeights.map { [$0] } ?? [])
        return Tensor.result(out, op: "projectedFields", inputs: inputs) { out in
            let dY = out.grad!.pointer
            // G: the output gradient summed per distinct value (numeric rows scaled by x),
            // and the bias gradient, each thread owning a block of columns, walked in tiles.
            let summed = Tensor.zeros([u + (joint?.count ?? 0), stride])
            let gs = summed.pointer
            let db = bias.requiresGrad ? bias.gradBuffer() : nil
            readSlots.withUnsafeBufferPointer { slots in
                forEachColumnTile(n, cost: rows * width) { columns in
                    for i in 0..<rows {
                        let row = ProjectedRow(projections: gs, stride: stride, slots: slots.baseAddress! + i * reads,
                                               fields: reads, numeric: values.map { $0 + i * numericCount },
                                               numericStart: numericRow, numericCount: numericCount,
                                               scales: scales.map { $0 + i * scaleStride })
                        let dyi = dY + i * n
                        var c = columns.lowerBound
                        while c + 64 <= columns.upperBound {
                            row.add64(dyi + c, column: c)
                            c += 64
                        }
                        while c < columns.upperBound {
                            row.add16(loadPartial(dyi + c, min(16, columns.upperBound - c)), column: c)
                            c += 16
                        }
                        if let db { accumulate(dyi + columns.lowerBound, into: db + columns.lowerBound, columns.count) }
                    }
                    joint?.spreadToMembers(in: gs, stride: stride, columns: columns)
                }
            }
            if let kept, let values = source.numeric?.values, values.requiresGrad {
                let (dValues, p) = (values.gradBuffer(), kept.pointer)
                for i in 0..<rows {
                    for g in 0..<numericCount {
                        let scale = scales.map { $0[i * scaleStride + fields + g] } ?? 1
                        dValues[i * numericCount + g] += scale * dotKernel(p + (numericRow + g) * stride, dY + i * n, n)
                    }
                }
            }
            // A field weight's gradient is its sample's output gradient against the row it scales.
            if let kept, let fieldWeights, fieldWeights.requiresGrad {
                let (dScales, p) = (fieldWeights.gradBuffer(), kept.pointer)
                compact.slots.withUnsafeBufferPointer { slots in
                    Parallelism.forEachChunk(rows, costPerItem: width * n) { range in
                        for i in range {
                            let (dyi, target) = (dY + i * n, dScales + i * scaleStride)
                            for f in 0..<fields { target[f] += dotKernel(p + Int(slots[i * fields + f]) * stride, dyi, n) }
                            for g in 0..<numericCount {
                                target[fields + g] += values![i * numericCount + g] * dotKernel(p + (numericRow + g) * stride, dyi, n)
                            }
                        }
                    }
                }
            }
            compact.embeddings.withUnsafeBufferPointer { e in
                let e = e.baseAddress!
                // dA_f = E_f[used]ᵀ · G_f, written block by block of columns.
                if weight.requiresGrad {
                    let (dW, beta) = weight.gradDestination()
                    forEachColumnBlock(n, cost: u * d) { columns in
                        for f in 0..<width {
                            let (first, count) = compact.rows(of: f)
                            Gemm.onThisThread(e + first * d, lda: d, transposeA: true,
                                              gs + first * stride + columns.lowerBound, ldb: stride, transposeB: false,
                                              into: dW + f * d * n + columns.lowerBound, ldc: n,
                                              m: d, n: columns.count, k: count, beta: beta)
                        }
                    }
                }
            }
            // dE_f[used] = G_f · A_fᵀ, then into the tables and the numeric vectors.
            let dCompact = Tensor.uninitialized([u, d])
            let de = dCompact.pointer
            Parallelism.forEachChunk(width, costPerItem: (u / width + 1) * n * d) { range in
                for f in range {
                    let (first, count) = compact.rows(of: f)
                    Gemm.onThisThread(gs + first * stride, lda: stride, transposeA: false,
                                      w + f * d * n, ldb: n, transposeB: true,
                                      into: de + first * d, ldc: d, m: count, n: d, k: n, beta: 0)
                }
            }
            compact.tableRows.withUnsafeBufferPointer { tableRows in
                for f in 0..<fields where source.tables[f].requiresGrad {
                    let (first, count) = compact.rows(of: f)
                    source.tables[f].scatterAdd(count: count, indices: tableRows.baseAddress! + first, indexStride: 1,
                                                gradient: de + first * d, gradientStride: d)
                }
            }
            if let vectors = source.numeric?.vectors, vectors.requiresGrad {
                accumulate(de + numericRow * d, into: vectors.gradBuffer(), numericCount * d)
            }
        }
    }
}

/// The rows of a padded `[U + G + J, stride]` matrix (the projections, or their gradient)
/// that one sample meets: one per categorical field, or per group of fields (see
/// ``JointValues``), named by `slots`, and the numeric rows, each weighted by the sample's
/// value.
private struct ProjectedRow {
    let projections: UnsafeMutablePointer<Float>
    let stride: Int
    let slots: UnsafePointer<Int32>
    let fields: Int
    let numeric: UnsafePointer<Float>?
    let numericStart: Int
    let numericCount: Int
    /// The sample's weight per field (categorical, then numeric), when the fields are weighted.
    let scales: UnsafePointer<Float>?

    @inline(__always) private func field(_ f: Int) -> UnsafeMutablePointer<Float> {
        projections + Int(slots[f]) * stride
    }

    /// Numeric field g's factor: the sample's value, times its weight when weighted.
    @inline(__always) private func numericScale(_ g: Int) -> Float {
        numeric![g] * (scales.map { $0[fields + g] } ?? 1)
    }

    /// Whether numeric field g's row is added. A zero factor's row adds nothing; in wide rows
    /// it is skipped (Census-Income's amounts are mostly zero), in narrower ones the test,
    /// which the branch predictor cannot learn, costs more than the row.
    @inline(__always) private func adds(_ g: Int) -> Bool {
        stride < wideRow || numericScale(g) != 0
    }

    @inline(__always) private func numericRow(_ g: Int) -> UnsafeMutablePointer<Float> {
        projections + (numericStart + g) * stride
    }

    /// Writes `bias` plus the sample's rows at columns `column ..< column + 64` to `y`.
    @inline(__always) func sum64(bias: UnsafePointer<Float>, column: Int, into y: UnsafeMutablePointer<Float>) {
        var (a0, a1, a2, a3) = (loadVec(bias), loadVec(bias + 16), loadVec(bias + 32), loadVec(bias + 48))
        if let scales {
            for f in 0..<fields {
                let (a, q) = (scales[f], field(f) + column)
                a0 += a * loadVec(q); a1 += a * loadVec(q + 16); a2 += a * loadVec(q + 32); a3 += a * loadVec(q + 48)
            }
        } else {
            for f in 0..<fields {
                let q = field(f) + column
                a0 += loadVec(q); a1 += loadVec(q + 16); a2 += loadVec(q + 32); a3 += loadVec(q + 48)
            }
        }
        if numeric != nil {
            for g in 0..<numericCount where adds(g) {
                let (x, q) = (numericScale(g), numericRow(g) + column)
                a0 += x * loadVec(q); a1 += x * loadVec(q + 16); a2 += x * loadVec(q + 32); a3 += x * loadVec(q + 48)
            }
        }
        storeVec(a0, y); storeVec(a1, y + 16); storeVec(a2, y + 32); storeVec(a3, y + 48)
    }

    /// `initial` plus the sample's rows at columns `column ..< column + 16` (rows are padded,
    /// so the vector may reach past the last real column).
    @inline(__always) func sum16(from initial: Vec, column: Int) -> Vec {
        // Two accumulators, so that consecutive additions do not wait for each other.
        var (even, odd) = (initial, Vec(repeating: 0))
        var f = 0
        if let scales {
            while f + 1 < fields {
                even += scales[f] * loadVec(field(f) + column)
                odd += scales[f + 1] * loadVec(field(f + 1) + column)
                f += 2
            }
            if f < fields { even += scales[f] * loadVec(field(f) + column) }
        } else {
            while f + 1 < fields {
                even += loadVec(field(f) + column)
                odd += loadVec(field(f + 1) + column)
                f += 2
            }
            if f < fields { even += loadVec(field(f) + column) }
        }
        if numeric != nil {
            for g in 0..<numericCount where adds(g) { odd += numericScale(g) * loadVec(numericRow(g) + column) }
        }
        return even + odd
    }

    /// Adds `dy[0 ..< 64]` to each of the sample's rows at `column ..< column + 64` (the
    /// numeric rows weighted by the sample's values).
    @inline(__always) func add64(_ dy: UnsafePointer<Float>, column: Int) {
        let (d0, d1, d2, d3) = (loadVec(dy), loadVec(dy + 16), loadVec(dy + 32), loadVec(dy + 48))
        if let scales {
            for f in 0..<fields {
                let (a, q) = (scales[f], field(f) + column)
                storeVec(loadVec(q) + a * d0, q); storeVec(loadVec(q + 16) + a * d1, q + 16)
                storeVec(loadVec(q + 32) + a * d2, q + 32); storeVec(loadVec(q + 48) + a * d3, q + 48)
            }
        } else {
            for f in 0..<fields {
                let q = field(f) + column
                storeVec(loadVec(q) + d0, q); storeVec(loadVec(q + 16) + d1, q + 16)
                storeVec(loadVec(q + 32) + d2, q + 32); storeVec(loadVec(q + 48) + d3, q + 48)
            }
        }
        guard numeric != nil else { return }
        for g in 0..<numericCount where adds(g) {
            let (x, q) = (numericScale(g), numericRow(g) + column)
            storeVec(loadVec(q) + x * d0, q); storeVec(loadVec(q + 16) + x * d1, q + 16)
            storeVec(loadVec(q + 32) + x * d2, q + 32); storeVec(loadVec(q + 48) + x * d3, q + 48)
        }
    }

    /// Adds `v` to each of the sample's rows at `column ..< column + 16`, as ``add64(_:column:)``.
    @inline(__always) func add16(_ v: Vec, column: Int) {
        for f in 0..<fields {
            let q = field(f) + column
            storeVec(loadVec(q) + (scales.map { $0[f] * v } ?? v), q)
        }
        guard numeric != nil else { return }
        for g in 0..<numericCount where adds(g) {
            let q = numericRow(g) + column
            storeVec(loadVec(q) + numericScale(g) * v, q)
        }
    }
}

/// The width, in columns, from which the projections add a row per group of small fields
/// (see ``JointValues``) and skip numeric rows with a zero factor. In narrower rows the work
/// per batch of finding the combinations, and the test per row, cost more than they save:
/// Census-Income at torch-rechub's sizes (rows of 64–144 columns) scored no faster with them.
private let wideRow = 256

/// Runs `body` over blocks of whole 16-column groups of `0..<n`, one per worker when the work
/// (`n × cost`) pays for the threads.
private func forEachColumnBlock(_ n: Int, cost: Int, _ body: (Range<Int>) -> Void) {
    let groups = (n + 15) / 16
    Parallelism.forEachChunk(groups, costPerItem: 16 * cost) { range in
        body(range.lowerBound * 16 ..< min(n, range.upperBound * 16))
    }
}

/// ``forEachColumnBlock(_:cost:_:)`` with each worker's block walked in tiles of 128 columns,
/// so that the tile of the summed gradient a pass over the batch scatters into (a few hundred
/// rows × 512 bytes) stays in the core's cache, also when two threads share it. On 2 threads
/// it made large MMoE training 8–15 % faster than whole blocks (tiles of 256: 0–10 %).
private func forEachColumnTile(_ n: Int, cost: Int, _ body: (Range<Int>) -> Void) {
    forEachColumnBlock(n, cost: cost) { block in
        for start in Swift.stride(from: block.lowerBound, to: block.upperBound, by: 128) {
            body(start ..< min(block.upperBound, start + 128))
        }
    }
}
