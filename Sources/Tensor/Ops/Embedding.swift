/// Looking up rows of embedding tables, with row-sparse gradients.
extension Tensor {
    /// The rows of `self` (a `[V, D]` table) named by `indices`, shaped `indexShape + [D]`.
    ///
    /// Backward scatter-adds into the table's gradient. When the table is a leaf with
    /// ``prefersRowSparseGradient`` set, only the used rows are recorded, in ``rowGrad``;
    /// otherwise the dense ``grad`` receives them.
    public func gather(_ indices: [Int32], shape indexShape: [Int]) -> Tensor {
        precondition(rank == 2, "gather: the table must be a matrix, got \(shape)")
        precondition(indexShape.reduce(1, *) == indices.count, "gather: \(indices.count) indices for shape \(indexShape)")
        let (vocabulary, d) = (shape[0], shape[1])
        let out = Tensor.uninitialized(indexShape + [d])
        let (table, y) = (UnsafePointer(pointer), out.pointer)
        indices.withUnsafeBufferPointer { ix in
            Parallelism.forEachChunk(ix.count, costPerItem: d) { range in
                for i in range { copyRow(ix[i], of: table, rows: vocabulary, width: d, to: y + i * d) }
            }
        }
        return Tensor.result(out, op: "gather", inputs: [self]) { [self] out in
            indices.withUnsafeBufferPointer { ix in
                scatterAdd(count: ix.count, indices: ix.baseAddress!, indexStride: 1,
                           gradient: out.grad!.pointer, gradientStride: d)
            }
        }
    }

    /// The field embeddings of a batch in one op, `[N, F + G, D]`: field f < F of sample i is
    /// row `ids[i·F + f]` of `tables[f]` (every table `[V_f, D]`, F = `tables.count`,
    /// N = `ids.count / F`), and numeric field g of sample i is `values[i, g] · vectors[g]`
    /// (`values: [N, G]`, `vectors: [G, D]`) when `numeric` is given.
    ///
    /// The same as F gathers and a broadcast product concatenated along axis 1, without the
    /// intermediate tensors; the backward scatters into each table as ``gather(_:shape:)`` does.
    public static func gatherFields(
        _ tables: [Tensor], ids: [Int32], rows: Int, numeric: (values: Tensor, vectors: Tensor)? = nil
    ) -> Tensor {
        let fields = tables.count, numericFields = numeric?.vectors.shape[0] ?? 0
        precondition(ids.count == rows * fields, "gatherFields: \(ids.count) ids for \(rows) rows of \(fields) tables")
        guard let d = tables.first?.shape[1] ?? numeric?.vectors.shape[1] else {
            preconditionFailure("gatherFields: no fields")
        }
        precondition(tables.allSatisfy { $0.rank == 2 && $0.shape[1] == d }, "gatherFields: tables of different widths")
        if let (values, vectors) = numeric {
            precondition(values.count == rows * numericFields && vectors.shape == [numericFields, d],
                         "gatherFields: numeric values \(values.shape) and vectors \(vectors.shape) do not match")
        }
        let width = fields + numericFields
        let out = Tensor.uninitialized([rows, width, d])
        let y = out.pointer
        // Raw pointers, so that the loop touches no reference counts.
        let sources = tables.map { UnsafePointer($0.pointer) }, sizes = tables.map { $0.shape[0] }
        let numericPointers = numeric.map { (UnsafePointer($0.values.pointer), UnsafePointer($0.vectors.pointer)) }
        ids.withUnsafeBufferPointer { ix in
        sources.withUnsafeBufferPointer { sources in
        sizes.withUnsafeBufferPointer { sizes in
            Parallelism.forEachChunk(rows, costPerItem: width * d) { range in
                for i in range {
                    for f in 0..<fields {
                        copyRow(ix[i * fields + f], of: sources[f], rows: sizes[f], width: d, to: y + (i * width + f) * d)
                    }
                    guard let (values, vectors) = numericPointers else { continue }
                    for g in 0..<numericFields {
                        let x = values[i * numericFields + g]
                        mapKernel(vectors + g * d, y + (i * width + fields + g) * d, d) { $0 * x }
                    }
                }
            }
        }
        }
        }
        out.fieldGather = FieldGather(tables: tables, ids: ids, rows: rows, numeric: numeric, dimension: d)
        let inputs = tables + (numeric.map { [$0.values, $0.vectors] } ?? [])
        return Tensor.result(out, op: "gatherFields", inputs: inputs) { out in
            let g = out.grad!.pointer
            // Tables are scattered into in parallel unless one serves several fields.
            let distinct = Set(tables.map(ObjectIdentifier.init)).count == fields
            ids.withUnsafeBufferPointer { ix in
                Parallelism.forEachChunk(fields, costPerItem: distinct ? rows * d : 0) { range in
                    for f in range where tables[f].requiresGrad {
                        tables[f].scatterAdd(count: rows, indices: ix.baseAddress! + f, indexStride: fields,
                                             gradient: g + f * d, gradientStride: width * d)
                    }
                }
            }
            guard let (values, vectors) = numeric else { return }
            let dValues = values.requiresGrad ? values.gradBuffer() : nil
            let dVectors = vectors.requiresGrad ? vectors.gradBuffer() : nil
            for i in 0..<rows {
                for f in 0..<numericFields {
                    let dy = g + (i * width + fields + f) * d
                    let x = values.pointer[i * numericFields + f]
                    if let dVectors { addScaled(dy, x, into: dVectors + f * d, d) }
                    if let dValues { dValues[i * numericFields + f] += dotKernel(vectors.pointer + f * d, dy, d) }
                }
            }
        }
    }

    /// Adds gradient row `gradient[i · gradientStride]` to table row `indices[i · indexStride]`
    /// for `i` in `0..<count`: into ``rowGrad`` for a leaf preferring row-sparse gradients,
    /// else into the dense ``grad``.
    func scatterAdd(
        count: Int, indices: UnsafePointer<Int32>, indexStride: Int,
        gradient g: UnsafePointer<Float>, gradientStride: Int
    ) {
        let d = shape[1]
        guard prefersRowSparseGradient && isLeaf else {
            let gt = gradBuffer()
            for i in 0..<count { addRow(g + i * gradientStride, into: gt + Int(indices[i * indexStride]) * d, d) }
            return
        }
        var sparse = rowGrad ?? RowSparseGradient(width: d)
        rowGrad = nil  // so that `sparse` owns its arrays and grows them in place
        var slots = RowSlots(tableRows: shape[0], expected: sparse.rows.count + count)
        for (i, r) in sparse.rows.enumerated() { slots[r] = Int32(i) }
        for i in 0..<count {
            let row = indices[i * indexStride]
            if slots[row] < 0 {
                slots[row] = Int32(sparse.rows.count)
                sparse.rows.append(row)
            }
        }
        sparse.values.append(contentsOf: repeatElement(0, count: sparse.rows.count * d - sparse.values.count))
        sparse.values.withUnsafeMutableBufferPointer { v in
            for i in 0..<count {
                addRow(g + i * gradientStride, into: v.baseAddress! + Int(slots[indices[i * indexStride]]) * d, d)
            }
        }
        rowGrad = sparse
    }
}

/// Copies row `row` of a `[vocabulary, d]` table to `destination`, checking the index.
@inline(__always)
private func copyRow(
    _ row: Int32, of table: UnsafePointer<Float>, rows vocabulary: Int, width d: Int,
    to destination: UnsafeMutablePointer<Float>
) {
    precondition(row >= 0 && Int(row) < vocabulary, "gather: index \(row) outside table of \(vocabulary) rows")
    let source = table + Int(row) * d
    switch d {
    case 4: UnsafeMutableRawPointer(destination).storeBytes(
        of: UnsafeRawPointer(source).loadUnaligned(as: SIMD4<Float>.self), as: SIMD4<Float>.self)
    case 8: UnsafeMutableRawPointer(destination).storeBytes(
        of: UnsafeRawPointer(source).loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
    case 16: storeVec(loadVec(source), destination)
    default: destination.update(from: source, count: d)
    }
}

/// `y[j] += x[j]` for a row of `d` floats, with the common embedding widths unrolled.
@inline(__always)
private func addRow(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, _ d: Int) {
    func add<V: SIMD>(_: V.Type) where V.Scalar == Float {
        let sum = UnsafeRawPointer(y).loadUnaligned(as: V.self) + UnsafeRawPointer(x).loadUnaligned(as: V.self)
        UnsafeMutableRawPointer(y).storeBytes(of: sum, as: V.self)
    }
    switch d {
    case 4: add(SIMD4<Float>.self)
    case 8: add(SIMD8<Float>.self)
    case 16: add(SIMD16<Float>.self)
    default: accumulate(x, into: y, d)
    }
}

/// Where each table row's gradient sits in a row-sparse gradient (−1: not yet there): a plain
/// array for tables of up to 2^18 rows, a dictionary for larger ones.
private struct RowSlots {
    private var dense: [Int32]
    private var map: [Int32: Int32]

    init(tableRows: Int, expected: Int) {
        let small = tableRows <= 1 << 18
        dense = small ? [Int32](repeating: -1, count: tableRows) : []
        map = small ? [:] : [Int32: Int32](minimumCapacity: expected)
    }

    subscript(row: Int32) -> Int32 {
        get { dense.isEmpty ? map[row, default: -1] : dense[Int(row)] }
        set { if dense.isEmpty { map[row] = newValue } else { dense[Int(row)] = newValue } }
    }
}
