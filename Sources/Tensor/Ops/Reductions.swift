/// Sums and means over one axis or over all elements.
extension Tensor {
    /// The sum over `axis` (negative counts from the end); the axis is kept with extent 1
    /// when `keepDims` is true and removed otherwise.
    public func sum(axis: Int, keepDims: Bool = false) -> Tensor {
        let ax = normalizedAxis(axis)
        let outer = shape[..<ax].reduce(1, *), len = shape[ax], inner = shape[(ax + 1)...].reduce(1, *)
        var outShape = shape
        if keepDims { outShape[ax] = 1 } else { outShape.remove(at: ax) }
        let out = Tensor.zeros(outShape)
        let (x, y) = (pointer, out.pointer)
        Parallelism.forEachChunk(outer, costPerItem: len * inner) { range in
            for o in range {
                let yo = y + o * inner
                if inner == 1 {
                    yo.pointee = sumKernel(x + o * len, len)
                } else {
                    for j in 0..<len { accumulate(x + (o * len + j) * inner, into: yo, inner) }
                }
            }
        }
        return Tensor.result(out, op: "sum", inputs: [self]) { [self] out in
            // Each of the `len` rows of `inner` summed gets the output's gradient row.
            let (g, (gx, keep)) = (out.grad!.pointer, gradDestination())
            Parallelism.forEachChunk(outer, costPerItem: len * inner) { range in
                for o in range {
                    let (source, rows) = (g + o * inner, gx + o * len * inner)
                    if inner == 1 {
                        let v = source.pointee
                        if keep == 0 { rows.update(repeating: v, count: len) } else { for j in 0..<len { rows[j] += v } }
                    } else if keep == 0 {
                        for j in 0..<len { (rows + j * inner).update(from: source, count: inner) }
                    } else {
                        for j in 0..<len { accumulate(source, into: rows + j * inner, inner) }
                    }
                }
            }
        }
    }

    /// The mean over `axis`.
    public func mean(axis: Int, keepDims: Bool = false) -> Tensor {
        let len = shape[normalizedAxis(axis)]
        return sum(axis: axis, keepDims: keepDims) * (1 / Float(Swift.max(len, 1)))
    }

    /// The sum of all elements, as a rank-0 tensor.
    public func sum() -> Tensor {
        reshaped([count]).sum(axis: 0)
    }

    /// The mean of all elements, as a rank-0 tensor.
    public func mean() -> Tensor {
        sum() * (1 / Float(Swift.max(count, 1)))
    }

    /// `axis` counted from the front, after checking that it exists.
    func normalizedAxis(_ axis: Int) -> Int {
        let ax = axis < 0 ? axis + rank : axis
        precondition(ax >= 0 && ax < rank, "axis \(axis) out of range for shape \(shape)")
        return ax
    }
}
