import NN
import Tensor

/// DTRN's Task-specific Representation Refinement Module (TRM): for each task, a SENet
/// gate over all fields of that task's bottom representation `E_t = [e_1 … e_F, u_t1 … u_tB]`,
/// giving `x_t = concat_f(a_tf · E_t[f])`. Without it (the w/o TRM ablation) `a_t = 1`.
public final class RepresentationRefinementModule: Module {
    /// One gate per task, or none when refinement is off.
    public let gates: [FieldGate]

    /// Gates over `fields` fields for `tasks` tasks, or none when `enabled` is false.
    public init(tasks: Int, fields: Int, enabled: Bool, reduction: Int, kind: FieldGate.Kind, activation: Activation,
                generator: inout RandomGenerator) {
        gates = enabled ? (0..<tasks).map { _ in
            FieldGate(fields: fields, reduction: reduction, kind: kind, activation: activation, generator: &generator)
        } : []
    }

    /// Each task's flattened bottom representation `[N, (F + B)·d]` from the fields
    /// `[N, F, d]` and that task's interests (`[N, d]` each). Tasks whose representation is
    /// the same get the same tensor.
    public func callAsFunction(fields: Tensor, interests: [[Tensor]]) -> [Tensor] {
        let n = fields.shape[0]
        let stack = { (u: [Tensor]) in Self.stack(fields: fields, interests: u) }
        let sameInterests = interests.allSatisfy { zip($0, interests[0]).allSatisfy { $0 === $1 } }
        if gates.isEmpty && sameInterests {
            return Array(repeating: stack(interests[0]).reshaped([n, -1]), count: interests.count)
        }
        return interests.enumerated().map { t, u in
            let all = stack(u)
            guard !gates.isEmpty else { return all.reshaped([n, -1]) }
            // Weighted as the gate weights them, marked so that the backbone's first layer
            // can fold the weights into the fields' per-value projections.
            return all.weighted(by: gates[t].weights(all), leadingFields: fields)
        }
    }

    /// Each task's field weights `a_t`, `[N, F + B]` (fields, then interests); none when
    /// refinement is off.
    public func fieldWeights(fields: Tensor, interests: [[Tensor]]) -> [Tensor] {
        zip(gates, interests).map { gate, u in gate.weights(Self.stack(fields: fields, interests: u)) }
    }

    /// `E_t`: the fields `[N, F, d]` with a task's interests (`[N, d]` each) appended, `[N, F + B, d]`.
    private static func stack(fields: Tensor, interests u: [Tensor]) -> Tensor {
        let (n, d) = (fields.shape[0], fields.shape[2])
        return u.isEmpty ? fields : Tensor.concat([fields] + u.map { $0.reshaped([n, 1, d]) }, axis: 1)
    }
}
