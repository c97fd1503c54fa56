import CAttention
import CNarrowGemm

/// Multi-head scaled dot-product self-attention as one op, read straight from the fused
/// query/key/value projection.
extension Tensor {
    /// The attention context of `self`, the fused projection `[R, 3d]` of a batch of sequences
    /// packed one after another: at every position the d query values, then the d key values,
    /// then the d value values, each made of `heads` heads of `dh = d / heads` values side by
    /// side. Positions `offsets[s] ..< offsets[s + 1]` are sequence s (`offsets` starts at 0,
    /// never decreases and ends at R), and each position attends over its own sequence only.
    ///
    /// For each sequence and head, `softmax(Q Kᵀ / √dh) · V`. The result is `[R, d]`, heads side
    /// by side — the value of projecting, permuting the heads to the front, two batched
    /// products and a softmax per sequence, without the permutes or a library call per head:
    /// at sequence lengths of tens the products are a few thousand multiply-adds each, and run
    /// here on a head's queries, keys and values copied into small zero-padded blocks, 8 lanes
    /// across a head and 16 across the keys. Packed sequences carry no padding, so a sequence
    /// of length l costs about l × ⌈l/16⌉·16, not the batch's longest length squared. On CPUs
    /// with AVX512F the forward of heads up to 16 wide runs in C (`Sources/CAttention`), one
    /// call per sequence, reading the rows in place.
    public func selfAttention(heads: Int, segments offsets: [Int32]) -> Tensor {
        precondition(rank == 2 && heads > 0 && shape[1] % (3 * heads) == 0,
                     "self-attention needs [R, 3·d] with d divisible into \(heads) heads, got \(shape)")
        let (rows, d) = (shape[0], shape[1] / 3)
        precondition(offsets.first == 0 && offsets.last.map(Int.init) == rows && zip(offsets, offsets.dropFirst()).allSatisfy(<=),
                     "self-attention: segment offsets must run from 0 to \(rows) without decreasing")
        let n = offsets.count - 1
        let longest = zip(offsets, offsets.dropFirst()).map { Int($1 - $0) }.max() ?? 0
        let largest = AttentionBlocks(length: longest, headWidth: d / heads)
        let out = Tensor.uninitialized([rows, d])
        // Each query's probabilities over the keys, padded to whole vectors: sequence s's from
        // `offsets[s] · heads · Lp` on, `[heads, l, ⌈l/16⌉·16]`, Lp the longest padded length.
        let probabilities = Tensor.uninitialized([rows * heads * largest.paddedLength])
        let (qkv, context, p) = (pointer, out.pointer, probabilities.pointer)
        let work = heads * longest * largest.paddedLength * largest.paddedWidth * 2
        let vectorKernel = SelfAttentionKernel.useVectorKernel && d / heads <= SelfAttentionKernel.vectorKernelHeadWidth
        offsets.withUnsafeBufferPointer { offsets in
            Parallelism.forEachChunk(n, costPerItem: work) { samples in
                withUnsafeTemporaryAllocation(of: Float.self, capacity: largest.scratch) { scratch in
                    for s in samples {
                        let (start, l) = (Int(offsets[s]), Int(offsets[s + 1] - offsets[s]))
                        guard l > 0 else { continue }
                        if vectorKernel {
                            dtrn_attention_forward(l, heads, d / heads, qkv + start * 3 * d, 3 * d,
                                                   p + start * heads * largest.paddedLength, context + start * d, d,
                                                   scratch.baseAddress!)
                            continue
                        }
                        let size = AttentionBlocks(length: l, headWidth: largest.headWidth)
                        let blocks = size.blocks(in: scratch.baseAddress!)
                        size.loadKeep(into: blocks.keep)
                        for h in 0..<heads {
                            size.loadHead(qkv + start * 3 * d, rowStride: 3 * d, head: h, heads: heads, byColumn: .keys, into: blocks)
                            for i in 0..<l {
                                let pi = p + start * heads * largest.paddedLength + (h * l + i) * size.paddedLength
                                size.scores(of: i, blocks, into: pi)
                                keptSoftmax(pi, keep: blocks.keep, size.paddedLength)
                                size.weightedValues(pi, blocks, into: context + (start + i) * d + h * size.headWidth)
                            }
                        }
                    }
                }
            }
        }
        return Tensor.result(out, op: "self-attention", inputs: [self]) { [self, probabilities] out in
            let (dContext, p) = (out.grad!.pointer, probabilities.pointer)
            let (gradient, keep) = gradDestination()
            offsets.withUnsafeBufferPointer { offsets in
                Parallelism.forEachChunk(n, costPerItem: work * 3) { samples in
                    withUnsafeTemporaryAllocation(of: Float.self, capacity: largest.scratch + longest * 3 * d) { scratch in
                        let local = scratch.baseAddress! + largest.scratch
                        for s in samples {
                            let (start, l) = (Int(offsets[s]), Int(offsets[s + 1] - offsets[s]))
                            guard l > 0 else { continue }
                            let size = AttentionBlocks(length: l, headWidth: largest.headWidth)
                            let blocks = size.blocks(in: scratch.baseAddress!)
                            for h in 0..<heads {
                                size.loadHead(qkv + start * 3 * d, rowStride: 3 * d, head: h, heads: heads, byColumn: .values, into: blocks)
                                size.backward(probabilities: p + start * heads * largest.paddedLength + h * l * size.paddedLength,
                                              contextGradient: dContext + start * d + h * size.headWidth, rowStride: d, blocks)
                                size.storeGradients(blocks, into: local, rowStride: 3 * d, head: h, heads: heads)
                            }
                            let target = gradient + start * 3 * d
                            if keep == 0 { target.update(from: local, count: l * 3 * d) } else { accumulate(local, into: target, l * 3 * d) }
                        }
                    }
                }
            }
        }
    }
}

/// Which kernel runs self-attention's forward.
enum SelfAttentionKernel {
    /// Whether heads of up to ``vectorKernelHeadWidth`` values run on the AVX512F kernel
    /// (`Sources/CAttention`): on CPUs that have it, unless turned off (to compare against the
    /// Swift kernels, which run otherwise).
    nonisolated(unsafe) static var useVectorKernel = dtrn_narrow_gemm_available() != 0
    /// The widest head the AVX512F kernel takes.
    static let vectorKernelHeadWidth = Int(DTRN_ATTENTION_MAX_HEAD_WIDTH)
}

/// The sizes of one head's blocks and the kernels over them: a sequence of `length`
/// positions padded to whole 16-lane vectors, a head of `headWidth` values padded to whole
/// 8-lane vectors.
private struct AttentionBlocks {
    typealias Lanes8 = SIMD8<Float>

    let length: Int, headWidth: Int
    let paddedLength: Int, paddedWidth: Int
    /// 1/√dh.
    let scale: Float

    init(length: Int, headWidth: Int) {
        self.length = length
        self.headWidth = headWidth
        paddedLength = (length + 15) / 16 * 16
        paddedWidth = (headWidth + 7) / 8 * 8
        scale = 1 / Float(headWidth).squareRoot()
    }

    /// Pointers into one scratch buffer: queries, keys and values `[L, dhp]` one after another
    /// (their gradients likewise, in the backward), the keys (forward) or values (backward) by
    /// column `[dhp, Lp]`, the keys kept `[Lp]`, and two rows of `Lp` and one of `dhp` to work in.
    struct Blocks {
        let queries, keys, values, byColumn: UnsafeMutablePointer<Float>
        let dQueries, dKeys, dValues: UnsafeMutablePointer<Float>
        let keep, row1, row2, headRow: UnsafeMutablePointer<Float>
    }

    /// Which of a head's blocks ``loadHead(_:rowStride:head:heads:byColumn:into:)`` also lays out by column.
    enum Part: Int {
        case keys = 1, values = 2
    }

    /// Floats of scratch for ``Blocks``.
    var scratch: Int { 6 * length * paddedWidth + paddedWidth * paddedLength + 3 * paddedLength + paddedWidth }

    func blocks(in base: UnsafeMutablePointer<Float>) -> Blocks {
        let block = length * paddedWidth, columns = paddedWidth * paddedLength
        let byColumn = base + 6 * block, after = byColumn + columns
        return Blocks(queries: base, keys: base + block, values: base + 2 * block, byColumn: byColumn,
                      dQueries: base + 3 * block, dKeys: base + 4 * block, dValues: base + 5 * block,
                      keep: after, row1: after + paddedLength, row2: after + 2 * paddedLength,
                      headRow: after + 3 * paddedLength)
    }

    /// 1 for the sequence's keys, 0 for the lanes padding them to whole vectors.
    func loadKeep(into keep: UnsafeMutablePointer<Float>) {
        for j in 0..<paddedLength { keep[j] = j < length ? 1 : 0 }
    }

    /// Head `h`'s queries, keys and values of one sample, zero-padded, and `part` of them by
    /// column.
    func loadHead(_ rows: UnsafePointer<Float>, rowStride: Int, head h: Int, heads: Int, byColumn part: Part,
                  into b: Blocks) {
        let d = headWidth * heads
        // Queries, keys and values lie one after another, so one block `[3, L, dhp]` holds them;
        // its padding columns, when a head is not whole vectors, are zeros.
        if headWidth < paddedWidth { b.queries.update(repeating: 0, count: 3 * length * paddedWidth) }
        for part in 0..<3 {
            let block = b.queries + part * length * paddedWidth
            for i in 0..<length {
                let source = rows + i * rowStride + part * d + h * headWidth
                for c in 0..<headWidth { block[i * paddedWidth + c] = source[c] }
            }
        }
        let source = b.queries + part.rawValue * length * paddedWidth
        for c in 0..<paddedWidth {
            let column = b.byColumn + c * paddedLength
            for i in 0..<length { column[i] = source[i * paddedWidth + c] }
            (column + length).update(repeating: 0, count: paddedLength - length)
        }
    }

    /// Writes head `h`'s query, key and value gradients into its columns of a sample's `[L, 3d]` rows.
    func storeGradients(_ b: Blocks, into rows: UnsafeMutablePointer<Float>, rowStride: Int, head h: Int, heads: Int) {
        let d = headWidth * heads
        for part in 0..<3 {
            let block = b.dQueries + part * length * paddedWidth
            for i in 0..<length {
                let target = rows + i * rowStride + part * d + h * headWidth
                for c in 0..<headWidth { target[c] = block[i * paddedWidth + c] }
            }
        }
    }

    /// `q_i · Kᵀ / √dh` over all padded key lanes (the keys loaded by column).
    func scores(of i: Int, _ b: Blocks, into row: UnsafeMutablePointer<Float>) {
        rowCombination(of: b.byColumn, weights: b.queries + i * paddedWidth, count: headWidth, scale: scale, into: row)
    }

    /// `Σ_j p_j v_j` into the first `headWidth` floats at `target`.
    func weightedValues(_ p: UnsafePointer<Float>, _ b: Blocks, into target: UnsafeMutablePointer<Float>) {
        for k in blockStarts(paddedWidth, 8) {
            let sum: Lanes8 = weightedSum(p, b.values + k, stride: paddedWidth, count: length)
            store(sum, b.headRow + k)
        }
        for c in 0..<headWidth { target[c] = b.headRow[c] }
    }

    /// The gradients of one head's queries, keys and values from its probabilities `[L, Lp]`
    /// and its context's gradient (rows `rowStride` apart), into the blocks' gradients (the
    /// values loaded by column).
    func backward(probabilities: UnsafePointer<Float>, contextGradient: UnsafePointer<Float>, rowStride: Int, _ b: Blocks) {
        b.dQueries.update(repeating: 0, count: 3 * length * paddedWidth)
        let (dp, ds, dc) = (b.row1, b.row2, b.headRow)
        for i in 0..<length {
            let p = probabilities + i * paddedLength
            dc.update(repeating: 0, count: paddedWidth)
            for c in 0..<headWidth { dc[c] = contextGradient[i * rowStride + c] }
            // dp = dc · Vᵀ; dv_j += p_j dc.
            rowCombination(of: b.byColumn, weights: dc, count: headWidth, scale: 1, into: dp)
            for k in blockStarts(paddedWidth, 8) {
                let g: Lanes8 = load(dc + k)
                for j in 0..<length { store(load(b.dValues + j * paddedWidth + k) + p[j] * g, b.dValues + j * paddedWidth + k) }
            }
            // ds = p ⊙ (dp − p·dp) / √dh; dq_i = Σ_j ds_j k_j; dk_j += ds_j q_i.
            var centre = Vec(repeating: 0)
            for j in blockStarts(paddedLength, 16) { centre += loadVec(p + j) * loadVec(dp + j) }
            let shift = Vec(repeating: lanesSum(centre))
            for j in blockStarts(paddedLength, 16) {
                storeVec(loadVec(p + j) * (loadVec(dp + j) - shift) * scale, ds + j)
            }
            for k in blockStarts(paddedWidth, 8) {
                let q: Lanes8 = load(b.queries + i * paddedWidth + k)
                for j in 0..<length { store(load(b.dKeys + j * paddedWidth + k) + ds[j] * q, b.dKeys + j * paddedWidth + k) }
                let dq: Lanes8 = weightedSum(ds, b.keys + k, stride: paddedWidth, count: length)
                store(dq, b.dQueries + i * paddedWidth + k)
            }
        }
    }

    /// `scale · Σ_c weights[c] · rows[c]` over padded rows of `paddedLength`.
    private func rowCombination(of rows: UnsafePointer<Float>, weights: UnsafePointer<Float>, count: Int, scale: Float,
                                into target: UnsafeMutablePointer<Float>) {
        for j in blockStarts(paddedLength, 16) {
            let sum: Vec = weightedSum(weights, rows + j, stride: paddedLength, count: count)
            storeVec(sum * scale, target + j)
        }
    }
}

/// `Σ_j weights[j] · rows[j]` for `count` vectors `stride` floats apart, in four running sums
/// (one would wait on each addition before the next).
@inline(__always)
private func weightedSum<V: SIMD>(_ weights: UnsafePointer<Float>, _ rows: UnsafePointer<Float>, stride: Int, count: Int) -> V
where V.Scalar == Float {
    var (s0, s1, s2, s3) = (V(), V(), V(), V())
    var j = 0
    while j + 4 <= count {
        s0 += weights[j] * (load(rows + j * stride) as V)
        s1 += weights[j + 1] * (load(rows + (j + 1) * stride) as V)
        s2 += weights[j + 2] * (load(rows + (j + 2) * stride) as V)
        s3 += weights[j + 3] * (load(rows + (j + 3) * stride) as V)
        j += 4
    }
    while j < count {
        s0 += weights[j] * (load(rows + j * stride) as V)
        j += 1
    }
    return (s0 + s1) + (s2 + s3)
}

/// Softmax in place over `n` (a multiple of 16) lanes where `keep` is 1 (at least one); the
/// others become 0.
@inline(__always)
private func keptSoftmax(_ row: UnsafeMutablePointer<Float>, keep: UnsafePointer<Float>, _ n: Int) {
    var largest = Vec(repeating: -.infinity)
    for j in blockStarts(n, 16) {
        let kept = loadVec(row + j).replacing(with: -.infinity, where: loadVec(keep + j) .== 0)
        largest = largest.replacing(with: kept, where: kept .> largest)
    }
    let m = lanesMax(largest)
    var total = Vec(repeating: 0)
    for j in blockStarts(n, 16) {
        let e = vexp(loadVec(row + j) - m) * loadVec(keep + j)
        storeVec(e, row + j)
        total += e
    }
    let inverse = 1 / lanesSum(total)
    for j in blockStarts(n, 16) { storeVec(loadVec(row + j) * inverse, row + j) }
}

/// `0, width, 2·width, …` below `count` (a multiple of `width`), as a range the compiler
/// turns into a plain counted loop.
@inline(__always)
private func blockStarts(_ count: Int, _ width: Int) -> LazyMapSequence<Range<Int>, Int> {
    (0..<(count / width)).lazy.map { $0 * width }
}
