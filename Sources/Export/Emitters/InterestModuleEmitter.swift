import Models
import NN
import Tensor

extension ONNXGraphBuilder {
    /// DTRN's TIM: the interests `u_tb` as `[N, 1, d]` values, indexed `[task][behaviour]`.
    ///
    /// Positions are added to every sequence, the encoder attends over the real positions, and
    /// with conditioning the hypernetwork maps each (task, behaviour) pair's embeddings to the
    /// two norms' scales and shifts in the graph itself.
    public func interests(_ module: TaskSpecificInterestModule, _ e: EmbeddedValues, tasks: Int, width d: Int,
                          lengths: [Int]) -> [[String]] {
        let behaviours = e.sequences.count
        var interests = Array(repeating: [String](), count: tasks)
        guard behaviours > 0 else { return interests }
        let conditions = module.mode == .conditioned ? conditionNorms(module, tasks: tasks, behaviours: behaviours, width: d) : []
        for b in 0..<behaviours {
            let positions = constant(Array(module.positions.values.prefix(lengths[b] * d)), shape: [lengths[b], d])
            let h = add(e.sequences[b], positions)
            let pool = { (encoded: String) in
                self.pool(encoded, mask: e.masks[b], target: e.target, pooling: module.pooling, width: d)
            }
            switch module.mode {
            case .conditioned:
                let residual = attend(module.encoders[0], h, mask: e.masks[b], width: d)
                for t in 0..<tasks {
                    interests[t].append(pool(finish(module.encoders[0], residual, norms: conditions[b * tasks + t], width: d)))
                }
            case .shared:
                let u = pool(plainEncode(module, h, mask: e.masks[b], encoder: 0, width: d))
                for t in 0..<tasks { interests[t].append(u) }
            case .separate:
                for t in 0..<tasks {
                    interests[t].append(pool(plainEncode(module, h, mask: e.masks[b], encoder: b * tasks + t, width: d)))
                }
            }
        }
        return interests
    }

    /// Encoder `k` with its own learned norms.
    private func plainEncode(_ module: TaskSpecificInterestModule, _ h: String, mask: String, encoder k: Int,
                             width d: Int) -> String {
        let (n1, n2) = (module.plainNorms[2 * k], module.plainNorms[2 * k + 1])
        let norms = [n1.gamma, n1.beta, n2.gamma, n2.beta].map { constant($0) }
        return finish(module.encoders[k], attend(module.encoders[k], h, mask: mask, width: d), norms: norms, width: d)
    }

    /// Per pair (behaviour-major, row `b·T + t`), the norms `[γ1, β1, γ2, β2]`, `[d]` each:
    /// `γ = 1 + W_γ h_tb`, `β = W_β h_tb`, `h_tb = MLP([z_t; c_b])`.
    private func conditionNorms(_ module: TaskSpecificInterestModule, tasks: Int, behaviours: Int, width d: Int) -> [[String]] {
        guard let taskEmbeddings = module.taskEmbeddings, let behaviourEmbeddings = module.behaviourEmbeddings,
              let hypernetwork = module.hypernetwork, let head = module.conditionHead else { return [] }
        let pairs = behaviours * tasks
        let zt = gather(constant(taskEmbeddings), int64s((0..<pairs).map { $0 % tasks }))
        let cb = gather(constant(behaviourEmbeddings), int64s((0..<pairs).map { $0 / tasks }))
        let all = linear(head, mlp(hypernetwork, concat([zt, cb], axis: 1)))
        let one = scalar(1)
        return (0..<pairs).map { r in
            let row = gather(all, int64s([r], shape: []))
            let parts = (0..<4).map { slice(row, axis: 0, ($0 * d)..<(($0 + 1) * d)) }
            return [add(parts[0], one), parts[1], add(parts[2], one), parts[3]]
        }
    }
}
