/// The gate-weighted sum of expert outputs, as one op.
extension Tensor {
    /// `y[i] = Σ_k gates[i, k] · experts[i, k]` for `experts: [N, K, d]` and `gates: [N, K]`,
    /// shaped `[N, d]`; the backward adds `dE[i, k] = g[i, k] · dY[i]` and
    /// `dG[i, k] = ⟨E[i, k], dY[i]⟩`.
    public static func mixture(_ experts: Tensor, gates: Tensor) -> Tensor {
        mixture([experts], gates: gates)
    }

    /// The mixture of several expert groups, `groups[g]: [N, K_g, d]`, as if they were
    /// concatenated along the expert axis: `gates: [N, ΣK_g]` weighs the experts of the first
    /// group first. The groups are read where they are, not copied side by side.
    public static func mixture(_ groups: [Tensor], gates: Tensor) -> Tensor {
        let (n, d) = (groups[0].shape[0], groups[0].shape[2])
        precondition(groups.allSatisfy { $0.rank == 3 && $0.shape[0] == n && $0.shape[2] == d },
                     "mixture: expert groups \(groups.map(\.shape)) must all be [\(n), K, \(d)]")
        let widths = groups.map { $0.shape[1] }, k = widths.reduce(0, +)
        precondition(gates.shape == [n, k], "mixture: gates \(gates.shape) do not match \(k) experts of \(n) rows")
        precondition(Set(groups.map(ObjectIdentifier.init)).count == groups.count, "mixture: a group given twice")
        let firstGate = widths.indices.map { widths[..<$0].reduce(0, +) }
        let out = Tensor.uninitialized([n, d])
        let (experts, g, y) = (groups.map(\.pointer), gates.pointer, out.pointer)
        Parallelism.forEachChunk(n, costPerItem: k * d) { rows in
            for i in rows {
                let yi = y + i * d
                yi.update(repeating: 0, count: d)
                for (group, e) in experts.enumerated() {
                    let (kg, gi) = (widths[group], g + i * k + firstGate[group])
                    for j in 0..<kg { addScaled(e + (i * kg + j) * d, gi[j], into: yi, d) }
                }
            }
        }
        return Tensor.result(out, op: "mixture", inputs: groups + [gates]) { out in
            let (dY, experts) = (out.grad!.pointer, groups.map(\.pointer))  // afresh: they may have been dropped
            let destinations: [(pointer: UnsafeMutablePointer<Float>, beta: Float)?] = groups.map {
                $0.requiresGrad ? $0.gradDestination() : nil
            }
            let dG = gates.requiresGrad ? gates.gradBuffer() : nil
            Parallelism.forEachChunk(n, costPerItem: 2 * k * d) { rows in
                for i in rows {
                    let dyi = dY + i * d
                    for (group, e) in experts.enumerated() {
                        let (kg, gi) = (widths[group], g + i * k + firstGate[group])
                        for j in 0..<kg {
                            let row = (i * kg + j) * d
                            if let (dE, beta) = destinations[group] {
                                if beta == 0 { mapKernel(dyi, dE + row, d) { $0 * gi[j] } }
                                else { addScaled(dyi, gi[j], into: dE + row, d) }
                            }
                            if let dG { dG[i * k + firstGate[group] + j] += dotKernel(e + row, dyi, d) }
                        }
                    }
                }
            }
        }
    }
}
