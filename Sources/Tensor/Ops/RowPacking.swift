/// Placing a dense block of rows back among zeros: the inverse of taking chosen rows with
/// ``gather(_:shape:)``, which lets the position-wise layers of a sequence encoder run on
/// real positions only, not on padding.
extension Tensor {
    /// `self`, `[K, w]`, placed at rows `rows` of an otherwise zero `[count, w]` block: the
    /// inverse of `gather(rows, shape: [K])` on that block. The K rows must be strictly
    /// increasing and below `count`.
    ///
    /// Backward reads each row's gradient back from its place.
    public func placingRows(_ rows: [Int32], count: Int) -> Tensor {
        precondition(rank == 2 && shape[0] == rows.count, "placingRows: \(rows.count) rows for a tensor of shape \(shape)")
        precondition(Tensor.areIncreasing(rows, below: count), "placingRows: rows must be strictly increasing and below \(count)")
        let w = shape[1]
        let out = Tensor.zeros([count, w])
        rows.withUnsafeBufferPointer { rows in
            Tensor.copyRows(rows, from: pointer, to: out.pointer, width: w, gather: false)
        }
        return Tensor.result(out, op: "place-rows", inputs: [self]) { [self] out in
            let (gradient, keep) = gradDestination()
            rows.withUnsafeBufferPointer { rows in
                if keep == 0 {
                    Tensor.copyRows(rows, from: out.grad!.pointer, to: gradient, width: w, gather: true)
                } else {
                    Tensor.addRows(rows, from: out.grad!.pointer, to: gradient, width: w)
                }
            }
        }
    }

    private static func areIncreasing(_ rows: [Int32], below limit: Int) -> Bool {
        var previous = -1
        for r in rows {
            guard Int(r) > previous else { return false }
            previous = Int(r)
        }
        return previous < limit
    }

    /// Row i of the packed side and row `rows[i]` of the padded side, copied towards the packed
    /// side (`gather`) or away from it.
    private static func copyRows(_ rows: UnsafeBufferPointer<Int32>, from x: UnsafePointer<Float>,
                                 to y: UnsafeMutablePointer<Float>, width w: Int, gather: Bool) {
        Parallelism.forEachChunk(rows.count, costPerItem: w) { range in
            for i in range {
                let r = Int(rows[i])
                if gather { (y + i * w).update(from: x + r * w, count: w) } else { (y + r * w).update(from: x + i * w, count: w) }
            }
        }
    }

    /// Adds row `rows[i]` of `x` to row i of `y`.
    private static func addRows(_ rows: UnsafeBufferPointer<Int32>, from x: UnsafePointer<Float>,
                                to y: UnsafeMutablePointer<Float>, width w: Int) {
        Parallelism.forEachChunk(rows.count, costPerItem: w) { range in
            for i in range { accumulate(x + Int(rows[i]) * w, into: y + i * w, w) }
        }
    }
}
