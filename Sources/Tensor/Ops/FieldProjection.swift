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
/// values of one row each, scaled by the sample's number.
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
    var prefersProjection: Bool {
        let vocabulary = tables.reduce(0) { $0 + $1.shape[0] }
        return (vocabulary + numericCount) * dimension + 2 * rows * width < rows * width * dimension
    }
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

extension Tensor {
    /// `x · weight + bias` for `x` the field gather `source`, flattened to `[N, W·d]`, through
    /// per-value projections (see ``FieldGather``); the inputs are the tables, the numeric
    /// values and vectors, the weight and the bias — the gathered matrix is not read.
    static func projectedFields(_ source: FieldGather, weight: Tensor, bias: Tensor) -> Tensor {
        let (rows, fields, width, d) = (source.rows, source.tables.count, source.width, source.dimension)
        let n = weight.shape[1]
        let compact = source.compact
        let u = compact.count, numericCount = source.numericCount, numericRow = u - numericCount
        // Rows of the projections (and of their gradient) are padded to whole vectors.
        let stride = (n + 15) / 16 * 16
        // P: every distinct value projected through its field's block of the weight.
        let projections = Tensor.uninitialized([u, stride])
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
            }
        }
        // y_i = b + Σ_f P[slot(i, f)] + Σ_g x_ig · P[numeric g].
        let out = Tensor.uninitialized([rows, n])
        let (y, b) = (out.pointer, bias.pointer)
        let values = source.numeric.map { UnsafePointer($0.values.pointer) }
        compact.slots.withUnsafeBufferPointer { slots in
            Parallelism.forEachChunk(rows, costPerItem: width * n) { range in
                for i in range {
                    let slotsOfRow = slots.baseAddress! + i * fields
                    let valuesOfRow = values.map { $0 + i * numericCount }
                    forEachVectorBlock(n) { start, count in
                        var sum = FourVectors(loading: b + start, count: count)
                        for f in 0..<fields { sum.add(FourVectors(p + Int(slotsOfRow[f]) * stride + start, count)) }
                        if let valuesOfRow {
                            for g in 0..<numericCount {
                                sum.add(FourVectors(p + (numericRow + g) * stride + start, count), times: valuesOfRow[g])
                            }
                        }
                        sum.store(y + i * n + start, count: count)
                    }
                }
            }
        }
        let numericInputs = source.numeric.map { [$0.values, $0.vectors] } ?? []
        let kept = source.numeric?.values.requiresGrad == true ? projections : nil
        return Tensor.result(out, op: "projectedFields", inputs: source.tables + numericInputs + [weight, bias]) { out in
            let dY = out.grad!.pointer
            // G: the output gradient summed per distinct value (numeric rows scaled by x),
            // and the bias gradient, each thread owning a block of columns.
            let summed = Tensor.zeros([u, stride])
            let gs = summed.pointer
            let db = bias.requiresGrad ? bias.gradBuffer() : nil
            compact.slots.withUnsafeBufferPointer { slots in
                forEachColumnBlock(n, cost: rows * width) { columns in
                    for i in 0..<rows {
                        let slotsOfRow = slots.baseAddress! + i * fields
                        forEachVectorBlock(columns) { start, count in
                            let dy = FourVectors(loading: dY + i * n + start, count: count)
                            for f in 0..<fields { dy.add(into: gs + Int(slotsOfRow[f]) * stride + start, count) }
                            if let values {
                                for g in 0..<numericCount {
                                    dy.add(into: gs + (numericRow + g) * stride + start, count,
                                           times: values[i * numericCount + g])
                                }
                            }
                            if let db { accumulate(dY + i * n + start, into: db + start, count) }
                        }
                    }
                }
            }
            if let kept, let values = source.numeric?.values {
                let (dValues, p) = (values.gradBuffer(), kept.pointer)
                for i in 0..<rows {
                    for g in 0..<numericCount {
                        dValues[i * numericCount + g] += dotKernel(p + (numericRow + g) * stride, dY + i * n, n)
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

/// Up to four vectors (64 floats) held in registers: the unit of the projection kernels,
/// four independent additions per step.
private struct FourVectors {
    var v0 = Vec(repeating: 0), v1 = Vec(repeating: 0), v2 = Vec(repeating: 0), v3 = Vec(repeating: 0)

    /// The first `count` (1…64) floats at `p`, which must be readable up to the next whole
    /// vector (a padded row).
    @inline(__always) init(_ p: UnsafePointer<Float>, _ count: Int) {
        v0 = loadVec(p)
        if count > 16 { v1 = loadVec(p + 16) }
        if count > 32 { v2 = loadVec(p + 32) }
        if count > 48 { v3 = loadVec(p + 48) }
    }

    /// The first `count` (1…64) floats at `p`, reading nothing past them.
    @inline(__always) init(loading p: UnsafePointer<Float>, count: Int) {
        v0 = Self.load(p, count)
        if count > 16 { v1 = Self.load(p + 16, count - 16) }
        if count > 32 { v2 = Self.load(p + 32, count - 32) }
        if count > 48 { v3 = Self.load(p + 48, count - 48) }
    }

    @inline(__always) private static func load(_ p: UnsafePointer<Float>, _ lanes: Int) -> Vec {
        lanes >= 16 ? loadVec(p) : loadPartial(p, lanes)
    }

    @inline(__always) mutating func add(_ other: FourVectors) {
        v0 += other.v0; v1 += other.v1; v2 += other.v2; v3 += other.v3
    }

    @inline(__always) mutating func add(_ other: FourVectors, times a: Float) {
        v0 += a * other.v0; v1 += a * other.v1; v2 += a * other.v2; v3 += a * other.v3
    }

    /// Adds `a ·` these vectors to the first `count` floats at `p`, a padded row (whole
    /// vectors are written).
    @inline(__always) func add(into p: UnsafeMutablePointer<Float>, _ count: Int, times a: Float = 1) {
        storeVec(loadVec(p) + a * v0, p)
        if count > 16 { storeVec(loadVec(p + 16) + a * v1, p + 16) }
        if count > 32 { storeVec(loadVec(p + 32) + a * v2, p + 32) }
        if count > 48 { storeVec(loadVec(p + 48) + a * v3, p + 48) }
    }

    /// Writes the first `count` (1…64) floats to `p`, nothing past them.
    @inline(__always) func store(_ p: UnsafeMutablePointer<Float>, count: Int) {
        Self.store(v0, p, count)
        if count > 16 { Self.store(v1, p + 16, count - 16) }
        if count > 32 { Self.store(v2, p + 32, count - 32) }
        if count > 48 { Self.store(v3, p + 48, count - 48) }
    }

    @inline(__always) private static func store(_ v: Vec, _ p: UnsafeMutablePointer<Float>, _ lanes: Int) {
        if lanes >= 16 { storeVec(v, p) } else { storePartial(v, p, lanes) }
    }
}

/// Calls `body(start, count)` for consecutive blocks of at most 64 columns of `columns`.
@inline(__always)
private func forEachVectorBlock(_ columns: Range<Int>, _ body: (_ start: Int, _ count: Int) -> Void) {
    var start = columns.lowerBound
    while start < columns.upperBound {
        body(start, min(64, columns.upperBound - start))
        start += 64
    }
}

@inline(__always)
private func forEachVectorBlock(_ n: Int, _ body: (_ start: Int, _ count: Int) -> Void) {
    forEachVectorBlock(0..<n, body)
}

/// Runs `body` over blocks of whole 16-column groups of `0..<n`, one per worker when the work
/// (`n × cost`) pays for the threads.
private func forEachColumnBlock(_ n: Int, cost: Int, _ body: (Range<Int>) -> Void) {
    let groups = (n + 15) / 16
    Parallelism.forEachChunk(groups, costPerItem: 16 * cost) { range in
        body(range.lowerBound * 16 ..< min(n, range.upperBound * 16))
    }
}

