import Tensor

/// One gate's output on a batch: a weight per expert (a softmax gate, summing to 1) or per
/// field (a TRM field gate, each weight on its own) for every sample.
public struct GateReading {
    /// What the weights are spread over.
    public enum Kind: String, Codable, Sendable {
        /// Softmax weights over experts (MMoE, OMoE, CGC/PLE gates).
        case experts
        /// One weight per input field (DTRN's TRM gate).
        case fields
    }

    /// The gate, e.g. `MMoE gate` or `PLE level 2 task gate`.
    public var gate: String
    /// What the weights are spread over.
    public var kind: Kind
    /// The task whose path the gate routes, or nil for a gate serving the shared path (PLE's
    /// shared gate between levels).
    public var task: String?
    /// What each weight is for: expert or field names, one per column of ``weights``.
    public var labels: [String]
    /// `[N, labels.count]`.
    public var weights: Tensor

    /// A reading of `gate` with one column of `weights` per label.
    public init(gate: String, kind: Kind, task: String?, labels: [String], weights: Tensor) {
        precondition(weights.shape.count == 2 && weights.shape[1] == labels.count, "one weight column per label")
        (self.gate, self.kind, self.task, self.labels, self.weights) = (gate, kind, task, labels, weights)
    }
}

/// A model whose routing can be read: the outputs of every gate it applies to a batch,
/// computed as its forward pass computes them. Call in inference mode (`model.eval()`,
/// `Autograd.inference`), so that batch norms use their running statistics.
public protocol RoutingInspectable: MultiTaskModel {
    /// Every gate's weights on `batch`, in the order the forward pass applies them.
    func gateReadings(_ batch: ModelBatch) -> [GateReading]
}

/// A backbone with gates: reads them for the per-task inputs it is given.
public protocol GatedBackbone: Backbone {
    /// Every gate's weights for the per-task inputs, tasks named `tasks`.
    func gateReadings(_ inputs: [Tensor], tasks: [String]) -> [GateReading]
}

extension BaselineModel: RoutingInspectable {
    /// The backbone's gates (none for backbones without gates).
    public func gateReadings(_ batch: ModelBatch) -> [GateReading] {
        guard let gated = backbone as? any GatedBackbone else { return [] }
        return gated.gateReadings(Array(repeating: input(batch), count: layout.tasks.count), tasks: layout.tasks.map(\.name))
    }
}

extension DTRNModel: RoutingInspectable {
    /// The TRM field gate of every task (fields, then behaviour interests), then the backbone's gates.
    public func gateReadings(_ batch: ModelBatch) -> [GateReading] {
        let e = embedder(batch)
        let interests = self.interests(e)
        let tasks = layout.tasks.map(\.name)
        let fields = layout.categorical.map(\.name) + layout.numeric + layout.sequences.map(\.name)
        let fieldGates = refinement.fieldWeights(fields: e.fields, interests: interests).enumerated().map { t, weights in
            GateReading(gate: "TRM field gate", kind: .fields, task: tasks[t], labels: fields, weights: weights)
        }
        guard let gated = backbone as? any GatedBackbone else { return fieldGates }
        return fieldGates + gated.gateReadings(refinement(fields: e.fields, interests: interests), tasks: tasks)
    }
}

extension MixtureOfExpertsBackbone: GatedBackbone {
    /// Each task's mixture weights over the experts (OMoE's one gate, read on each task's input).
    public func gateReadings(_ inputs: [Tensor], tasks: [String]) -> [GateReading] {
        let labels = (0..<experts.count).map { "expert \($0)" }
        let name = gates.count == 1 ? "OMoE gate" : "MMoE gate"
        return inputs.indices.map { t in
            GateReading(gate: name, kind: .experts, task: tasks[t], labels: labels,
                        weights: gates[gates.count == 1 ? 0 : t](inputs[t]))
        }
    }
}

extension ProgressiveLayeredExtractionBackbone: GatedBackbone {
    /// Per level: each task's gate over its own and the shared experts, then the shared gate
    /// over all experts (every level but the last).
    public func gateReadings(_ inputs: [Tensor], tasks: [String]) -> [GateReading] {
        var readings: [GateReading] = []
        var (current, shared) = (inputs, sharedInput(inputs))
        for (l, level) in levels.enumerated() {
            let own = level.taskExperts[0].count, common = level.sharedExperts.count
            let sharedLabels = (0..<common).map { "shared expert \($0)" }
            let prefix = levels.count == 1 ? "CGC" : "PLE level \(l + 1)"
            let output = level.route(current, shared: shared)
            (current, shared) = (output.tasks, output.shared)
            for t in tasks.indices {
                readings.append(GateReading(gate: "\(prefix) task gate", kind: .experts, task: tasks[t],
                                            labels: (0..<own).map { "own expert \($0)" } + sharedLabels,
                                            weights: output.taskWeights[t]))
            }
            if let weights = output.sharedWeights {
                let labels = tasks.flatMap { task in (0..<own).map { "\(task) expert \($0)" } } + sharedLabels
                readings.append(GateReading(gate: "\(prefix) shared gate", kind: .experts, task: nil, labels: labels,
                                            weights: weights))
            }
        }
        return readings
    }
}
