/// Changing the shape or the order of axes.
extension Tensor {
    /// The same elements under another shape of equal element count; one extent may be -1.
    /// The result shares storage with `self`.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var dims = newShape
        if let unknown = dims.firstIndex(of: -1) {
            let known = dims.enumerated().filter { $0.offset != unknown }.map(\.element).reduce(1, *)
            precondition(known > 0 && count % known == 0, "reshape: cannot infer \(newShape) from \(shape)")
            dims[unknown] = count / known
        }
        precondition(dims.reduce(1, *) == count, "reshape: \(shape) has \(count) elements, \(dims) does not")
        let out = Tensor(shape: dims, storage: storage)
        if let source = fieldGather, dims.first == source.rows, dims.count <= 3 { out.fieldGather = source }
        return Tensor.result(out, op: "reshape", inputs: [self]) { [self] out in
            let g = out.grad!
            // The output's gradient is done with once this runs: a first gradient takes its storage.
            if grad == nil { grad = Tensor(shape: shape, storage: g.storage) } else { accumulate(g.pointer, into: gradBuffer(), count) }
        }
    }

    /// The tensor with its axes reordered: axis `i` of the result is axis `order[i]` of `self`.
    public func permuted(_ order: [Int]) -> Tensor {
        precondition(order.sorted() == Array(0..<rank), "permute: \(order) is not a permutation of \(rank) axes")
        let outShape = order.map { shape[$0] }
        var inStrides = [Int](repeating: 1, count: rank)
        for i in stride(from: rank - 2, through: 0, by: -1) { inStrides[i] = inStrides[i + 1] * shape[i + 1] }
        let strides = order.map { inStrides[$0] }
        let out = Tensor.uninitialized(outShape)
        permuteCopy(from: pointer, to: out.pointer, shape: outShape, sourceStrides: strides, accumulate: false)
        return Tensor.result(out, op: "permute", inputs: [self]) { [self] out in
            var inverse = [Int](repeating: 0, count: order.count)
            for (i, o) in order.enumerated() { inverse[o] = i }
            var outStrides = [Int](repeating: 1, count: rank)
            for i in stride(from: rank - 2, through: 0, by: -1) { outStrides[i] = outStrides[i + 1] * outShape[i + 1] }
            let (gx, beta) = gradDestination()
            permuteCopy(from: out.grad!.pointer, to: gx, shape: shape,
                        sourceStrides: inverse.map { outStrides[$0] }, accumulate: beta != 0)
        }
    }

    /// Swaps two axes.
    public func transposed(_ a: Int = -2, _ b: Int = -1) -> Tensor {
        var order = Array(0..<rank)
        order.swapAt(normalizedAxis(a), normalizedAxis(b))
        return permuted(order)
    }
}

/// Writes (or adds) into a contiguous `shape`-shaped destination, reading the source
/// element at `Σ index[i] · sourceStrides[i]`; rows of the last axis split over the workers.
private func permuteCopy(from src: UnsafePointer<Float>, to dst: UnsafeMutablePointer<Float>,
                         shape: [Int], sourceStrides: [Int], accumulate: Bool) {
    let total = shape.reduce(1, *)
    guard total > 0 else { return }
    let rank = shape.count
    let inner = shape[rank - 1], innerStride = sourceStrides[rank - 1]
    Parallelism.forEachChunk(total / inner, costPerItem: inner) { rows in
        // The index of the first row's first element, and its source offset.
        var index = [Int](repeating: 0, count: rank)
        var remaining = rows.lowerBound, offset = 0
        for axis in stride(from: rank - 2, through: 0, by: -1) {
            index[axis] = remaining % shape[axis]
            remaining /= shape[axis]
            offset += index[axis] * sourceStrides[axis]
        }
        for row in rows {
            let d = row * inner
            if accumulate {
                for j in 0..<inner { dst[d + j] += src[offset + j * innerStride] }
            } else {
                for j in 0..<inner { dst[d + j] = src[offset + j * innerStride] }
            }
            var axis = rank - 2
            while axis >= 0 {
                index[axis] += 1
                offset += sourceStrides[axis]
                if index[axis] < shape[axis] { break }
                offset -= sourceStrides[axis] * shape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
    }
}
