import NN
import Tensor

/// Expert groups, softmax gates and their mixtures in ONNX.
extension ONNXGraphBuilder {
    /// K stacked layers applied sample first: `x: [N, K, in]` → `[N, K, out]`.
    public func stackedLinear(sampleFirst layer: StackedLinear, _ x: String) -> String {
        let expertFirst = transpose(x, [1, 0, 2])
        let y = add(matmul(expertFirst, constant(layer.weight)), constant(layer.bias))
        return transpose(y, [1, 0, 2])
    }

    /// Every expert's output for `x: [N, in]`, `[N, K, out]`.
    public func experts(_ group: ExpertGroup, _ x: String) -> String {
        let first = linear(group.first, x, norm: group.firstNorm, activation: group.activation)
        var h = reshape(first, [0, group.count, -1])
        for (i, layer) in group.deeper.enumerated() {
            var y = stackedLinear(sampleFirst: layer, h)
            if i < group.deeperNorms.count {
                let width = layer.weight.shape[2]
                y = reshape(batchNorm(group.deeperNorms[i], reshape(y, [0, -1])), [0, group.count, width])
            }
            h = activation(group.activation, y)
        }
        return h
    }

    /// A softmax gate's mixture weights `[N, K]` for `x: [N, in]`.
    public func gate(_ gate: SoftmaxGate, _ x: String) -> String {
        softmax(linear(gate.logits, x, norm: gate.norm, activation: .identity))
    }

    /// `Σ_k gates[:, k] · experts[:, k]` for expert outputs (`[N, K_g, d]` each, joined along the
    /// expert axis) and `gates: [N, ΣK_g]`, giving `[N, d]`.
    public func mixture(_ groups: [String], gates: String) -> String {
        let experts = concat(groups, axis: 1)
        return reduceSum(mul(experts, unsqueeze(gates, axes: [2])), axes: [1], keepDims: false)
    }
}
