import Models
import Tensor

/// PCGrad gradient surgery (Yu et al., "Gradient Surgery for Multi-Task Learning", NeurIPS
/// 2020) on the parameters the tasks share.
///
/// Each task's gradient `g_i` on the shared parameters is projected onto the normal plane of
/// every other task's gradient `g_j` it conflicts with (`⟨g_i, g_j⟩ < 0`):
/// `g_i ← g_i − (⟨g_i, g_j⟩ / ‖g_j‖²) g_j`, the other tasks taken in a random order drawn per
/// step (from the run's seed and the step number, so a resumed run draws the same orders), each
/// `g_j` the original gradient. The step then follows the sum of the projected gradients; on
/// task-specific parameters each task's own gradient is left as it is.
public struct GradientSurgery {
    /// The shared parameters the projection acts on.
    public let shared: [ParameterSharing.Slice]
    /// The run's seed.
    public let seed: UInt64

    /// Surgery on `shared`, its task orders drawn from `seed`.
    public init(shared: [ParameterSharing.Slice], seed: UInt64) {
        self.shared = shared
        self.seed = seed
    }

    /// The gradients of `gradients`' tasks after surgery at optimiser step `step`.
    func callAsFunction(_ gradients: [TaskGradient], step: Int) -> [TaskGradient] {
        var generator = RandomGenerator(seed: seed ^ (0xC0F1_1C7 &* UInt64(step + 1)))
        let squares = gradients.map { $0.squaredNorm(shared) }
        return gradients.indices.map { i in
            var projected = gradients[i]
            var others = gradients.indices.filter { $0 != i }
            generator.shuffle(&others)
            for j in others where squares[j] > 0 {
                let d = projected.dot(shared, gradients[j], shared)
                if d < 0 { projected.subtract(d / squares[j], gradients[j], on: shared) }
            }
            return projected
        }
    }
}
