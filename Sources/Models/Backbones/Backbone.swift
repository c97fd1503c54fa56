import NN
import Tensor

/// The multi-task part of a model: maps one input per task (`[N, D]` each; baselines pass
/// the same tensor for every task, DTRN a task-specific one) to one output per task
/// (`[N, 1]` each).
public protocol Backbone: Module {
    /// The per-task outputs for the per-task inputs.
    func callAsFunction(_ inputs: [Tensor]) -> [Tensor]

    /// Which of the backbone's parameters the tasks share (see ``ParameterSharing``).
    var parameterSharing: ParameterSharing { get }
}

/// Applies a shared function to per-task inputs once per distinct input: once when every
/// task has the same tensor, and otherwise as one pass over the inputs stacked along the
/// batch axis (one large product instead of T small ones).
func applyShared(_ inputs: [Tensor], _ f: (Tensor) -> Tensor) -> [Tensor] {
    var distinct: [Tensor] = []
    var slot: [ObjectIdentifier: Int] = [:]
    let positions = inputs.map { x in
        if let s = slot[ObjectIdentifier(x)] { return s }
        slot[ObjectIdentifier(x)] = distinct.count
        distinct.append(x)
        return distinct.count - 1
    }
    let outputs: [Tensor]
    if distinct.count == 1 {
        outputs = [f(distinct[0])]
    } else {
        outputs = f(Tensor.concat(distinct, axis: 0)).split(distinct.map { $0.shape[0] }, axis: 0)
    }
    return positions.map { outputs[$0] }
}

/// Per-task towers `MLP(hidden…) → 1`.
func makeTowers(count: Int, inputSize: Int, hidden: [Int], style: LayerStyle,
                generator: inout RandomGenerator) -> [MLP] {
    (0..<count).map { _ in
        MLP(inputSize: inputSize, hidden: hidden + [1], style: style, activateLast: false, generator: &generator)
    }
}
