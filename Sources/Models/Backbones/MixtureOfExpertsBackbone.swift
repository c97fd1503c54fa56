import NN
import Tensor

/// MMoE (one softmax gate per task over shared experts) and OMoE (one gate for all tasks).
public final class MixtureOfExpertsBackbone: Module, Backbone {
    /// The shared experts.
    public let experts: ExpertGroup
    /// One gate per task (MMoE) or a single gate (OMoE).
    public let gates: [SoftmaxGate]
    /// The towers.
    public let towers: Towers

    /// `expertCount` experts of `expertHidden` widths; `gatePerTask` false gives OMoE.
    public init(tasks: Int, inputSize: Int, expertCount: Int, expertHidden: [Int], towerHidden: [Int],
                gatePerTask: Bool = true, style: LayerStyle = LayerStyle(),
                generator: inout RandomGenerator) {
        experts = ExpertGroup(count: expertCount, inputSize: inputSize, hidden: expertHidden, style: style,
                              generator: &generator)
        gates = (0..<(gatePerTask ? tasks : 1)).map { _ in
            SoftmaxGate(inputSize: inputSize, experts: expertCount, style: style, generator: &generator)
        }
        towers = Towers(tasks: tasks, inputSize: experts.outputSize, hidden: towerHidden, style: style,
                        generator: &generator)
    }

    public func callAsFunction(_ inputs: [Tensor]) -> [Tensor] {
        let gateOf = { (t: Int) in self.gates.count == 1 ? 0 : t }
        if inputs.allSatisfy({ $0 === inputs[0] }) {
            // One input for every task: the experts' first layer and the gates read it together,
            // and each gate's weights are computed once.
            let layers = [(experts.first, experts.firstNorm, experts.activation)]
                + gates.map { ($0.logits, $0.norm, Activation.identity) }
            let firsts = Linear.apply(layers, to: inputs[0])
            let expertOutputs = experts(afterFirstLayer: firsts[0])
            let weights = zip(gates, firsts.dropFirst()).map { gate, logits in gate(logits: logits) }
            let mixed = inputs.indices.map { t in ExpertGroup.mix(expertOutputs, gates: weights[gateOf(t)]) }
            expertOutputs.dropValues()  // read again by the mixtures' backward, recomputed
            return towers(mixed)
        }
        let expertOutputs = applyShared(inputs) { experts($0) }
        let mixed = inputs.indices.map { t in ExpertGroup.mix(expertOutputs[t], gates: gates[gateOf(t)](inputs[t])) }
        expertOutputs.forEach { $0.dropValues() }
        return towers(mixed)
    }

    /// The experts shared; MMoE's gates each task's, OMoE's one gate shared; the towers each
    /// task's. GradNorm reads the experts' last layer.
    public var parameterSharing: ParameterSharing {
        let gateGroup: ParameterSharing.Group = gates.count == 1 ? .shared("gate", gates) : .perTask("gates", gates.map { [$0] })
        let last: Module = experts.deeper.last ?? experts.first
        return ParameterSharing(groups: [.shared("experts", [experts]), gateGroup] + towers.parameterSharing.groups,
                                lastSharedLayer: last.parameters().map(\.tensor))
    }
}
