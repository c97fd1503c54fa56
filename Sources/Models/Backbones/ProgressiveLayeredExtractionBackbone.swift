import NN
import Tensor

/// PLE (Tang et al., RecSys 2020): levels of CGC, each with task-specific and shared
/// experts; a task's gate mixes its own and the shared experts, and between levels a
/// shared gate mixes all experts for the next level's shared input. One level is CGC.
///
/// At every level after the first the shared experts read the shared input (the previous
/// level's shared-gate output) once, and each task's gate mixes their outputs with its own
/// experts', as in the paper. With task-specific inputs (DTRN), the first level follows the
/// specification instead: on task t's path the shared experts read `x_t`, and the shared
/// input, on which the shared gate and the shared path's experts run, is the mean of the `x_t`.
public final class ProgressiveLayeredExtractionBackbone: Module, Backbone {
    /// One extraction level.
    public final class Level: Module {
        /// Each task's own experts.
        public let taskExperts: [ExpertGroup]
        /// The shared experts.
        public let sharedExperts: ExpertGroup
        /// Each task's gate over its own and the shared experts.
        public let taskGates: [SoftmaxGate]
        /// The gate over all experts that feeds the next level, absent on the last level.
        public let sharedGate: SoftmaxGate?
        /// Whether this is the bottom level, whose task inputs may be task-specific bottoms.
        let isFirst: Bool

        init(tasks: Int, inputSize: Int, taskExpertCount: Int, sharedExpertCount: Int, hidden: [Int],
             isFirst: Bool, isLast: Bool, style: LayerStyle, generator: inout RandomGenerator) {
            self.isFirst = isFirst
            taskExperts = (0..<tasks).map { _ in
                ExpertGroup(count: taskExpertCount, inputSize: inputSize, hidden: hidden, style: style,
                            generator: &generator)
            }
            sharedExperts = ExpertGroup(count: sharedExpertCount, inputSize: inputSize, hidden: hidden,
                                        style: style, generator: &generator)
            taskGates = (0..<tasks).map { _ in
                SoftmaxGate(inputSize: inputSize, experts: taskExpertCount + sharedExpertCount, style: style,
                            generator: &generator)
            }
            sharedGate = isLast ? nil : SoftmaxGate(inputSize: inputSize, experts: tasks * taskExpertCount + sharedExpertCount,
                                                    style: style, generator: &generator)
        }

        /// The next level's task inputs and shared input.
        func callAsFunction(_ inputs: [Tensor], shared: Tensor) -> (tasks: [Tensor], shared: Tensor) {
            let output = route(inputs, shared: shared)
            return (output.tasks, output.shared)
        }

        /// The next level's task inputs and shared input, with the task gates' and the shared
        /// gate's weights that mixed them.
        func route(_ inputs: [Tensor], shared: Tensor)
            -> (tasks: [Tensor], shared: Tensor, taskWeights: [Tensor], sharedWeights: Tensor?) {
            let tasks = inputs.count
            let own: [Tensor], sharedOnTaskPaths: [Tensor], taskWeights: [Tensor], sharedWeights: Tensor?
            if inputs.allSatisfy({ $0 === shared }) {
                // One input for every task and the shared path: every expert group's first
                // layer and every gate read it together, and the shared experts run once.
                let experts = taskExperts + [sharedExperts], gates = taskGates + (sharedGate.map { [$0] } ?? [])
                let layers = experts.map { ($0.first, $0.firstNorm, $0.activation) }
                    + gates.map { ($0.logits, $0.norm, Activation.identity) }
                let firsts = Linear.apply(layers, to: shared)
                let outputs = zip(experts, firsts).map { group, first in group(afterFirstLayer: first) }
                let weights = zip(gates, firsts.dropFirst(experts.count)).map { gate, logits in gate(logits: logits) }
                own = Array(outputs.prefix(tasks))
                sharedOnTaskPaths = Array(repeating: outputs[tasks], count: tasks + 1)
                taskWeights = Array(weights.prefix(tasks))
                sharedWeights = sharedGate == nil ? nil : weights[tasks]
            } else {
                own = zip(taskExperts, inputs).map { experts, x in experts(x) }
                if isFirst {
                    // Task-specific bottoms: the shared experts read each task's own input,
                    // and the shared input too when a shared gate mixes them for the next level.
                    let reads = sharedGate == nil ? inputs : inputs + [shared]
                    sharedOnTaskPaths = applyShared(reads) { sharedExperts($0) }
                } else {
                    sharedOnTaskPaths = Array(repeating: sharedExperts(shared), count: tasks + 1)
                }
                taskWeights = zip(taskGates, inputs).map { gate, x in gate(x) }
                sharedWeights = sharedGate.map { $0(shared) }
            }
            let outputs = (0..<tasks).map { t in
                ExpertGroup.mix([own[t], sharedOnTaskPaths[t]], gates: taskWeights[t])
            }
            let nextShared = sharedWeights.map { ExpertGroup.mix(own + [sharedOnTaskPaths[tasks]], gates: $0) }
            // The mixtures were the experts' last forward readers; their backward recomputes them.
            (own + sharedOnTaskPaths).forEach { $0.dropValues() }
            return (outputs, nextShared ?? shared, taskWeights, sharedWeights)
        }
    }

    /// The levels, bottom first.
    public let levels: [Level]
    /// The towers.
    public let towers: Towers

    /// `levelCount` levels of `taskExpertCount` experts per task and `sharedExpertCount`
    /// shared experts, all of `expertHidden` widths.
    public init(tasks: Int, inputSize: Int, levelCount: Int, taskExpertCount: Int, sharedExpertCount: Int,
                expertHidden: [Int], towerHidden: [Int], style: LayerStyle = LayerStyle(),
                generator: inout RandomGenerator) {
        precondition(levelCount >= 1, "PLE needs at least one level")
        var width = inputSize
        var levels: [Level] = []
        for l in 0..<levelCount {
            levels.append(Level(tasks: tasks, inputSize: width, taskExpertCount: taskExpertCount,
                                sharedExpertCount: sharedExpertCount, hidden: expertHidden,
                                isFirst: l == 0, isLast: l == levelCount - 1, style: style, generator: &generator))
            width = expertHidden.last!
        }
        self.levels = levels
        towers = Towers(tasks: tasks, inputSize: width, hidden: towerHidden, style: style,
                        generator: &generator)
    }

    public func callAsFunction(_ inputs: [Tensor]) -> [Tensor] {
        var (current, shared) = (inputs, sharedInput(inputs))
        for level in levels { (current, shared) = level(current, shared: shared) }
        return towers(current)
    }

    /// Shared: every level's shared experts and shared gate, and the task experts below the
    /// last level (the shared gate mixes them into every task's next level). Each task's:
    /// its gates at every level, its experts at the last level, its tower. GradNorm reads the
    /// last level's shared experts' last layer.
    public var parameterSharing: ParameterSharing {
        let tasks = towers.towers.count, lower = levels.dropLast()
        let experts: [Module] = levels.map(\.sharedExperts) + lower.flatMap(\.taskExperts)
        let lastExperts = levels.last!.sharedExperts
        let last: Module = lastExperts.deeper.last ?? lastExperts.first
        return ParameterSharing(
            groups: [.shared("experts", experts), .shared("shared-gates", levels.compactMap(\.sharedGate)),
                     .perTask("gates", (0..<tasks).map { t in levels.map { $0.taskGates[t] } }),
                     .perTask("task-experts", levels.last!.taskExperts.map { [$0] })] + towers.parameterSharing.groups,
            lastSharedLayer: last.parameters().map(\.tensor))
    }

    /// The first level's shared input: the one input of every task, or with task-specific
    /// inputs under several levels their mean.
    func sharedInput(_ inputs: [Tensor]) -> Tensor {
        guard levels.count > 1, inputs.contains(where: { $0 !== inputs[0] }) else { return inputs[0] }
        return inputs.dropFirst().reduce(inputs[0]) { $0 + $1 } * (1 / Float(inputs.count))
    }
}
