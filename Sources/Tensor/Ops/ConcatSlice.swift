/// Joining tensors along an axis and taking contiguous ranges of one.
extension Tensor {
    /// Concatenates tensors whose shapes agree on every axis but `axis`.
    public static func concat(_ parts: [Tensor], axis: Int) -> Tensor {
        precondition(!parts.isEmpty, "concat of no tensors")
        let first = parts[0]
        let ax = first.normalizedAxis(axis)
        for p in parts {
            precondition(p.rank == first.rank && (0..<first.rank).allSatisfy { $0 == ax || p.shape[$0] == first.shape[$0] },
                         "concat: shape \(p.shape) does not match \(first.shape) off axis \(axis)")
        }
        let outer = first.shape[..<ax].reduce(1, *), inner = first.shape[(ax + 1)...].reduce(1, *)
        let widths = parts.map { $0.shape[ax] * inner }
        let total = widths.reduce(0, +)
        var outShape = first.shape
        outShape[ax] = parts.map { $0.shape[ax] }.reduce(0, +)
        let out = Tensor.uninitialized(outShape)
        let y = out.pointer
        Parallelism.forEachChunk(outer, costPerItem: total) { range in
            for o in range {
                var column = 0
                for (p, w) in zip(parts, widths) {
                    (y + o * total + column).update(from: p.pointer + o * w, count: w)
                    column += w
                }
            }
        }
        return Tensor.result(out, op: "concat", inputs: parts) { out in
            let g = out.grad!.pointer
            var column = 0
            for (p, w) in zip(parts, widths) {
                if p.requiresGrad {
                    let gp = p.gradBuffer()
                    for o in 0..<outer { accumulate(g + o * total + column, into: gp + o * w, w) }
                }
                column += w
            }
        }
    }

    /// The elements whose index along `axis` lies in `range`.
    public func slice(axis: Int, _ range: Range<Int>) -> Tensor {
        let ax = normalizedAxis(axis)
        precondition(range.lowerBound >= 0 && range.upperBound <= shape[ax],
                     "slice: \(range) out of bounds for axis \(axis) of \(shape)")
        let outer = shape[..<ax].reduce(1, *), inner = shape[(ax + 1)...].reduce(1, *)
        let (full, w, start) = (shape[ax] * inner, range.count * inner, range.lowerBound * inner)
        var outShape = shape
        outShape[ax] = range.count
        let out = Tensor.uninitialized(outShape)
        for o in 0..<outer { (out.pointer + o * w).update(from: pointer + o * full + start, count: w) }
        return Tensor.result(out, op: "slice", inputs: [self]) { [self] out in
            let (g, gx) = (out.grad!.pointer, gradBuffer())
            for o in 0..<outer { accumulate(g + o * w, into: gx + o * full + start, w) }
        }
    }

    /// The rows (first-axis entries) in `range`.
    public func rows(_ range: Range<Int>) -> Tensor { slice(axis: 0, range) }

    /// Splits along `axis` into consecutive pieces of the given sizes.
    public func split(_ sizes: [Int], axis: Int) -> [Tensor] {
        precondition(sizes.reduce(0, +) == shape[normalizedAxis(axis)], "split: \(sizes) do not add up to axis \(axis) of \(shape)")
        var start = 0
        return sizes.map { size in
            defer { start += size }
            return slice(axis: axis, start..<(start + size))
        }
    }
}
