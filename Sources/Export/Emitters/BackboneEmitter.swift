import Models
import NN

extension ONNXGraphBuilder {
    /// A backbone's per-task outputs (`[N, 1]` each) for per-task inputs `[N, D]` (the same
    /// value for every task in the baselines). Throws for a backbone kind it does not know.
    public func backbone(_ backbone: any Backbone, _ inputs: [String]) throws(ExportError) -> [String] {
        switch backbone {
        case let towers as Towers:
            return self.towers(towers, inputs)
        case let sharedBottom as SharedBottomBackbone:
            var memo: [String: String] = [:]
            let bottoms = inputs.map { x in memo[x] ?? { let y = mlp(sharedBottom.bottom, x); memo[x] = y; return y }() }
            return towers(sharedBottom.towers, bottoms)
        case let mixture as MixtureOfExpertsBackbone:
            return mixtureOfExperts(mixture, inputs)
        case let ple as ProgressiveLayeredExtractionBackbone:
            return progressiveLayeredExtraction(ple, inputs)
        case let crossStitch as CrossStitchBackbone:
            return self.crossStitch(crossStitch, inputs)
        default:
            throw ExportError.unsupportedModule(String(describing: type(of: backbone)))
        }
    }

    /// One tower per task on that task's input.
    public func towers(_ towers: Towers, _ inputs: [String]) -> [String] {
        zip(towers.towers, inputs).map { tower, x in mlp(tower, x) }
    }

    /// MMoE / OMoE: shared experts, mixed per task by its gate (or the one gate).
    func mixtureOfExperts(_ backbone: MixtureOfExpertsBackbone, _ inputs: [String]) -> [String] {
        var memo: [String: String] = [:]
        let mixed = inputs.enumerated().map { t, x in
            let outputs = memo[x] ?? { let y = experts(backbone.experts, x); memo[x] = y; return y }()
            return mixture([outputs], gates: gate(backbone.gates[backbone.gates.count == 1 ? 0 : t], x))
        }
        return towers(backbone.towers, mixed)
    }

    /// PLE / CGC: at every level each task's gate mixes its own and the shared experts, and a
    /// shared gate mixes all experts into the next level's shared input; the first level's
    /// shared input is the mean of distinct task inputs under several levels.
    func progressiveLayeredExtraction(_ backbone: ProgressiveLayeredExtractionBackbone, _ inputs: [String]) -> [String] {
        let distinct = Set(inputs).count > 1
        var shared = inputs[0]
        if backbone.levels.count > 1 && distinct {
            shared = mul(inputs.dropFirst().reduce(inputs[0]) { add($0, $1) }, scalar(1 / Float(inputs.count)))
        }
        var current = inputs
        for (l, level) in backbone.levels.enumerated() {
            var memo: [String: String] = [:]
            let sharedExperts = { (x: String) in
                memo[x] ?? { let y = self.experts(level.sharedExperts, x); memo[x] = y; return y }()
            }
            let own = zip(level.taskExperts, current).map { group, x in experts(group, x) }
            let onTaskPaths = current.map { x in sharedExperts(l == 0 ? x : shared) }
            let outputs = current.indices.map { t in
                mixture([own[t], onTaskPaths[t]], gates: gate(level.taskGates[t], current[t]))
            }
            if let sharedGate = level.sharedGate {
                shared = mixture(own + [sharedExperts(shared)], gates: gate(sharedGate, shared))
            }
            current = outputs
        }
        return towers(backbone.towers, current)
    }

    /// Cross-Stitch: one column per task (`[T, N, d]` through stacked layers), each depth's
    /// activations mixed across columns by its stitch, then the towers.
    func crossStitch(_ backbone: CrossStitchBackbone, _ inputs: [String]) -> [String] {
        let tasks = inputs.count
        var h = concat(inputs.map { unsqueeze($0, axes: [0]) }, axis: 0)
        for (depth, layer) in backbone.layers.enumerated() {
            h = add(matmul(h, constant(layer.weight)), constant(layer.bias))
            if depth < backbone.norms.count { h = batchNorm(backbone.norms[depth], h, flatten: false) }
            h = activation(backbone.activation, h)
            let width = layer.weight.shape[2]
            h = reshape(matmul(constant(backbone.stitches[depth]), reshape(h, [tasks, -1])), [tasks, -1, width])
        }
        let columns = (0..<tasks).map { t in gather(h, int64s([t], shape: []), axis: 0) }
        return towers(backbone.towers, columns)
    }
}
