/// NumPy-style broadcasting of two shapes, iterated as rows of the output's last axis.
///
/// Each operand's element strides are 0 on the axes it is broadcast along, so a row of the
/// output reads either a row, or one repeated element, of each operand.
struct Broadcast {
    let outShape: [Int]
    let aStrides: [Int]
    let bStrides: [Int]
    /// The extent of the output's last axis.
    let inner: Int
    /// The number of output rows.
    let rows: Int

    /// The broadcast of shapes `a` and `b`, or nil when they are incompatible.
    init?(_ a: [Int], _ b: [Int]) {
        let rank = max(a.count, b.count)
        let pa = Array(repeating: 1, count: rank - a.count) + a
        let pb = Array(repeating: 1, count: rank - b.count) + b
        var out = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            guard pa[i] == pb[i] || pa[i] == 1 || pb[i] == 1 else { return nil }
            out[i] = pa[i] == 1 ? pb[i] : pa[i]
        }
        func strides(_ s: [Int]) -> [Int] {
            var st = [Int](repeating: 0, count: rank)
            var acc = 1
            for i in stride(from: rank - 1, through: 0, by: -1) {
                st[i] = s[i] == 1 ? 0 : acc
                acc *= s[i]
            }
            return st
        }
        outShape = out
        aStrides = strides(pa)
        bStrides = strides(pb)
        inner = out.last ?? 1
        rows = inner == 0 ? 0 : out.reduce(1, *) / inner
    }

    /// Whether every output row reads a row of `a` no other output row reads (`a` is
    /// broadcast along the last axis at most).
    var aRowsDistinct: Bool { rowsDistinct(aStrides) }
    /// Whether every output row reads a row of `b` no other output row reads.
    var bRowsDistinct: Bool { rowsDistinct(bStrides) }

    private func rowsDistinct(_ strides: [Int]) -> Bool {
        (0..<max(0, outShape.count - 1)).allSatisfy { strides[$0] != 0 || outShape[$0] == 1 }
    }

    /// The stride of `a` (0 or 1) along the last axis.
    var aInner: Int { aStrides.last ?? 0 }
    /// The stride of `b` (0 or 1) along the last axis.
    var bInner: Int { bStrides.last ?? 0 }

    /// The offsets into `a` and `b` of the first element of each output row in `range`.
    func forEachRow(in range: Range<Int>, _ body: (_ row: Int, _ aOffset: Int, _ bOffset: Int) -> Void) {
        let outer = outShape.count - 1
        if outer <= 0 {
            for r in range { body(r, 0, 0) }
            return
        }
        var index = [Int](repeating: 0, count: outer)
        var rem = range.lowerBound
        for axis in stride(from: outer - 1, through: 0, by: -1) {
            index[axis] = rem % outShape[axis]
            rem /= outShape[axis]
        }
        var ao = 0, bo = 0
        for axis in 0..<outer { ao += index[axis] * aStrides[axis]; bo += index[axis] * bStrides[axis] }
        for r in range {
            body(r, ao, bo)
            var axis = outer - 1
            while axis >= 0 {
                index[axis] += 1
                ao += aStrides[axis]; bo += bStrides[axis]
                if index[axis] < outShape[axis] { break }
                ao -= aStrides[axis] * outShape[axis]; bo -= bStrides[axis] * outShape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
    }
}
