/// K affine maps applied side by side to a batch laid out sample-first, as one op.
extension Tensor {
    /// `y[:, j, :] = self[:, j, :] · weight[j] + bias[j]` for `self: [N, K, k]`,
    /// `weight: [K, k, n]` and `bias` of `K·n` values (e.g. `[K, 1, n]`): K experts' layers,
    /// each reading its slice of every sample, with the result laid out `[N, K, n]` as the
    /// input was.
    ///
    /// Each product reads and writes its slice in place through the row strides (`K·k` and
    /// `K·n`), so no transpose to expert-first order and back runs, and the bias is written
    /// into the output before the products add onto it. The backward adds
    /// `dX_j = dY_j · W_jᵀ`, `dW_j = X_jᵀ · dY_j` and `db_j = Σ_rows dY_j`.
    public func stackedLinear(_ weight: Tensor, bias: Tensor) -> Tensor {
        precondition(rank == 3 && weight.rank == 3 && weight.shape[0] == shape[1] && weight.shape[1] == shape[2],
                     "stackedLinear: \(shape) and \(weight.shape) do not match ([N, K, k] and [K, k, n])")
        let (rows, experts, k, n) = (shape[0], shape[1], shape[2], weight.shape[2])
        precondition(bias.count == experts * n, "stackedLinear: bias of \(bias.count) values for \(experts) × \(n) outputs")
        let (inRow, outRow) = (experts * k, experts * n)
        let out = Tensor.uninitialized([rows, experts, n])
        let (x, w, y) = (pointer, weight.pointer, out.pointer)
        writeBias(bias.pointer, intoRows: rows, of: y, width: outRow)
        forEachExpertPiece(experts, extent: rows, cost: rows * k * n) { j, piece in
            Gemm.onThisThread(x + piece.lowerBound * inRow + j * k, lda: inRow, transposeA: false,
                              w + j * k * n, ldb: n, transposeB: false,
                              into: y + piece.lowerBound * outRow + j * n, ldc: outRow,
                              m: piece.count, n: n, k: k, beta: 1)
        }
        return Tensor.result(out, op: "stackedLinear", inputs: [self, weight, bias]) { [self] out in
            let (dY, x) = (out.grad!.pointer, pointer)  // the input afresh: it may have been dropped
            if requiresGrad {
                let (dX, beta) = gradDestination()
                forEachExpertPiece(experts, extent: rows, cost: rows * k * n) { j, piece in
                    Gemm.onThisThread(dY + piece.lowerBound * outRow + j * n, lda: outRow, transposeA: false,
                                      w + j * k * n, ldb: n, transposeB: true,
                                      into: dX + piece.lowerBound * inRow + j * k, ldc: inRow,
                                      m: piece.count, n: k, k: n, beta: beta)
                }
            }
            if weight.requiresGrad {
                // Pieces of dW_j are blocks of its rows: columns of X_j.
                let (dW, beta) = weight.gradDestination()
                forEachExpertPiece(experts, extent: k, cost: rows * k * n) { j, piece in
                    Gemm.onThisThread(x + j * k + piece.lowerBound, lda: inRow, transposeA: true,
                                      dY + j * n, ldb: outRow, transposeB: false,
                                      into: dW + (j * k + piece.lowerBound) * n, ldc: n,
                                      m: piece.count, n: n, k: rows, beta: beta)
                }
            }
            if bias.requiresGrad { addRowSums(of: dY, rows: rows, width: outRow, into: bias.gradBuffer()) }
        }
    }
}

/// Runs `body(j, piece)` for every expert j and piece of `0..<extent`, spread over the
/// workers when `cost` (the multiply-adds of one expert's whole product) pays for them:
/// whole experts when they divide evenly among the workers, otherwise each expert cut into
/// one piece per worker.
private func forEachExpertPiece(_ experts: Int, extent: Int, cost: Int, _ body: (Int, Range<Int>) -> Void) {
    let workers = Parallelism.threadCount
    let pieces = workers <= 1 || experts % workers == 0 || experts * cost < Gemm.minimumParallelWork
        ? 1 : min(workers, max(1, extent))
    Parallelism.forEachChunk(experts * pieces, costPerItem: max(1, cost / pieces)) { items in
        for item in items {
            let (j, piece) = (item / pieces, item % pieces)
            body(j, extent * piece / pieces ..< extent * (piece + 1) / pieces)
        }
    }
}
