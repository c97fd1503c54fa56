/// Looking up rows of an embedding table, with a row-sparse gradient.
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
        let (table, y) = (pointer, out.pointer)
        indices.withUnsafeBufferPointer { ix in
            Parallelism.forEachChunk(ix.count, costPerItem: d) { range in
                for i in range {
                    let row = Int(ix[i])
                    precondition(row >= 0 && row < vocabulary, "gather: index \(row) outside table of \(vocabulary) rows")
                    (y + i * d).update(from: table + row * d, count: d)
                }
            }
        }
        return Tensor.result(out, op: "gather", inputs: [self]) { [self] out in
            let g = out.grad!.pointer
            if prefersRowSparseGradient && isLeaf {
                accumulateRowSparse(indices: indices, gradient: g, width: d)
            } else {
                let gt = gradBuffer()
                for (i, row) in indices.enumerated() { accumulate(g + i * d, into: gt + Int(row) * d, d) }
            }
        }
    }

    /// Adds gradient rows `g[i]` to table row `indices[i]` in the row-sparse gradient.
    private func accumulateRowSparse(indices: [Int32], gradient g: UnsafePointer<Float>, width d: Int) {
        var sparse = rowGrad ?? RowSparseGradient(width: d)
        var slots = RowSlots(tableRows: shape[0], expected: sparse.rows.count + indices.count)
        for (i, r) in sparse.rows.enumerated() { slots[r] = Int32(i) }
        for row in indices where slots[row] < 0 {
            slots[row] = Int32(sparse.rows.count)
            sparse.rows.append(row)
        }
        sparse.values.append(contentsOf: repeatElement(0, count: sparse.rows.count * d - sparse.values.count))
        sparse.values.withUnsafeMutableBufferPointer { v in
            for (i, row) in indices.enumerated() {
                accumulate(g + i * d, into: v.baseAddress! + Int(slots[row]) * d, d)
            }
        }
        rowGrad = sparse
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
