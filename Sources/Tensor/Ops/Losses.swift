import Foundation

/// Losses.
extension Tensor {
    /// Binary cross-entropy of `sigmoid(logits)` against `targets`, averaged per column.
    ///
    /// `logits` and `targets` are `[N, T]` (one column per task). `weights`, when given, is
    /// `[N, T]` of non-negative sample weights; 0 masks a sample out of a task. The result
    /// is `[T]`: `loss_t = Σ_i w_it ℓ_it / Σ_i w_it` (0 for a column without weight), with
    /// `ℓ = max(x, 0) − x·y + log(1 + e^−|x|)`, stable for any logit.
    public static func binaryCrossEntropyWithLogits(_ logits: Tensor, targets: Tensor, weights: Tensor? = nil) -> Tensor {
        precondition(logits.rank == 2 && targets.shape == logits.shape && (weights?.shape ?? logits.shape) == logits.shape,
                     "bce: logits \(logits.shape), targets \(targets.shape), weights \(weights?.shape ?? []) must agree as [N, T]")
        let (n, t) = (logits.shape[0], logits.shape[1])
        let (x, y, w) = (logits.pointer, targets.pointer, weights?.pointer)
        var totals = [Float](repeating: 0, count: t)
        for i in 0..<n {
            for j in 0..<t { totals[j] += w?[i * t + j] ?? 1 }
        }
        let out = Tensor.zeros([t])
        for i in 0..<n {
            for j in 0..<t {
                let k = i * t + j
                let weight = w?[k] ?? 1
                if weight == 0 { continue }
                let xi = x[k]
                let loss = Swift.max(xi, 0) - xi * y[k] + Foundation.log1p(Foundation.exp(-Swift.abs(xi)))
                out.pointer[j] += weight * loss / totals[j]
            }
        }
        var inputs = [logits, targets]
        if let weights { inputs.append(weights) }
        return Tensor.result(out, op: "bceWithLogits", inputs: inputs) { out in
            let g = out.grad!.pointer
            let gx = logits.gradBuffer()
            for i in 0..<n {
                for j in 0..<t {
                    let k = i * t + j
                    let weight = w?[k] ?? 1
                    if weight == 0 { continue }
                    gx[k] += g[j] * weight / totals[j] * (ssigmoid(x[k]) - y[k])
                }
            }
        }
    }
}
