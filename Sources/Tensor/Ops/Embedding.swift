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
        var slot = [Int32: Int](minimumCapacity: sparse.rows.count + indices.count)
        for (i, r) in sparse.rows.enumerated() { slot[r] = i }
        for row in indices where slot[row] == nil {
            slot[row] = sparse.rows.count
            sparse.rows.append(row)
        }
        sparse.values.append(contentsOf: repeatElement(0, count: sparse.rows.count * d - sparse.values.count))
        sparse.values.withUnsafeMutableBufferPointer { v in
            for (i, row) in indices.enumerated() {
                accumulate(g + i * d, into: v.baseAddress! + slot[row]! * d, d)
            }
        }
        rowGrad = sparse
    }
}
