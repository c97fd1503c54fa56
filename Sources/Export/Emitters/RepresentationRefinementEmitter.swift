import Models
import NN

extension ONNXGraphBuilder {
    /// A SENet field gate's weights `[N, F]` for `fields: [N, F, d]`.
    public func fieldWeights(_ gate: FieldGate, _ fields: String) -> String {
        let squeezed = reduceMean(fields, axes: [2], keepDims: false)
        let excitation = sigmoid(linear(gate.expand, activation(gate.activation, linear(gate.reduce, squeezed))))
        return gate.kind == .doubleSigmoid ? mul(excitation, scalar(2)) : excitation
    }

    /// DTRN's TRM: each task's flattened bottom `[N, (F + B)·d]` from the fields and that task's
    /// interests (`[N, 1, d]` each), re-weighted by its gate when refinement is on. Tasks with
    /// the same representation get the same value.
    public func refine(_ module: RepresentationRefinementModule, fields: String, interests: [[String]]) -> [String] {
        var memo: [[String]: String] = [:]
        return interests.enumerated().map { t, u in
            if module.gates.isEmpty, let known = memo[u] { return known }
            let all = concat([fields] + u, axis: 1)
            let flat: String
            if module.gates.isEmpty {
                flat = reshape(all, [0, -1])
            } else {
                flat = reshape(mul(all, unsqueeze(fieldWeights(module.gates[t], all), axes: [2])), [0, -1])
            }
            memo[u] = flat
            return flat
        }
    }
}
