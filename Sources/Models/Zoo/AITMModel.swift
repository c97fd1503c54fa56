import NN
import Tensor

/// AITM, the Adaptive Information Transfer Multi-task framework (Xi et al., KDD 2021), for
/// tasks along a conversion funnel (impression → click → … → purchase).
///
/// On the shared input, task t's tower gives a representation `q_t`. From the second task on,
/// the previous task's representation is carried over, `p_{t−1} = transfer_{t−1}(z_{t−1})`, and
/// an attention over the two candidates `u ∈ {p_{t−1}, q_t}` decides how much of it to use:
/// `w_u = softmax_u(⟨h1(u), h2(u)⟩ / √d)`, `z_t = Σ_u w_u h3(u)`, with `z_0 = q_0`. Each task's
/// probability is `σ(head_t(z_t))`, and the behavioural expectation calibrator
/// ``calibratorLoss(_:weight:)`` penalises any task predicted more likely than the one before it.
///
/// The tasks must be binary and ordered along the funnel: task t's positives are a subset of
/// task t−1's (a purchase implies a click).
public final class AITMModel: MultiTaskModel {
    /// The Adaptive Information Transfer into one task from the task before it.
    public final class InformationTransfer: Module {
        /// The information carried over, `p_{t−1} = transfer(z_{t−1})`.
        public let transfer: MLP
        /// The maps h1, h2 and h3 as one projection `d → 3d` (no bias).
        public let projection: Linear

        init(dimension: Int, style: LayerStyle, generator: inout RandomGenerator) {
            transfer = MLP(inputSize: dimension, hidden: [dimension], style: style, generator: &generator)
            projection = Linear(inputSize: dimension, outputSize: 3 * dimension, bias: false, generator: &generator)
        }

        /// `z_t` from the previous task's `z_{t−1}` and this task's tower output `q_t`, `[N, d]` each.
        public func callAsFunction(previous: Tensor, own: Tensor) -> Tensor {
            let (n, d) = (own.shape[0], own.shape[1])
            let candidates = Tensor.concat([transfer(previous).reshaped([n, 1, d]), own.reshaped([n, 1, d])], axis: 1)
            let h = projection(candidates).split([d, d, d], axis: 2)
            let weights = ((h[0] * h[1]).sum(axis: 2) * (1 / Float(d).squareRoot())).softmax()
            return (h[2] * weights.reshaped([n, 2, 1])).sum(axis: 1)
        }
    }

    /// The embeddings and pooled interests every tower reads.
    public let input: SharedBottomInput
    /// Each task's tower, giving `q_t`.
    public let towers: [MLP]
    /// The transfers into tasks 1, 2, … (one fewer than the tasks).
    public let transfers: [InformationTransfer]
    /// Each task's read-out `z_t → logit`.
    public let heads: [Linear]
    /// The weight α of the calibrator.
    public let calibratorWeight: Float

    /// AITM for the binary funnel tasks of `layout`: towers of `towerHidden` widths (`[32]`
    /// when empty), whose last width is the representation width d.
    public init(layout: FeatureLayout, config: ModelConfig, generator: inout RandomGenerator) throws {
        guard layout.tasks.allSatisfy({ $0.kind == .binary }) else {
            throw ModelError.unsupportedTasks(model: "aitm", requirement: "binary tasks ordered along the conversion funnel",
                                              tasks: layout.tasks.map(\.name))
        }
        let input = SharedBottomInput(layout: layout, dimension: config.embeddingDimension,
                                      initialization: config.initialization, generator: &generator)
        let hidden = config.towerHidden.isEmpty ? [32] : config.towerHidden
        let d = hidden.last!
        towers = layout.tasks.map { _ in
            MLP(inputSize: input.outputSize, hidden: hidden, style: config.layerStyle, generator: &generator)
        }
        transfers = layout.tasks.dropFirst().map { _ in
            InformationTransfer(dimension: d, style: config.layerStyle, generator: &generator)
        }
        heads = layout.tasks.map { _ in Linear(inputSize: d, outputSize: 1, generator: &generator) }
        self.input = input
        calibratorWeight = config.calibratorWeight
        super.init(layout: layout)
    }

    /// `[N, T]` probabilities, with the calibrator as the auxiliary loss when T ≥ 2.
    public override func callAsFunction(_ batch: ModelBatch) -> TaskPredictions {
        let x = input(batch)
        var z = towers[0](x)
        var logits = [heads[0](z)]
        for (t, transfer) in transfers.enumerated() {
            z = transfer(previous: z, own: towers[t + 1](x))
            logits.append(heads[t + 1](z))
        }
        let probabilities = Self.join(logits).sigmoid()
        return TaskPredictions(
            outputs: probabilities, areProbabilities: true,
            auxiliaryLoss: transfers.isEmpty ? nil : Self.calibratorLoss(probabilities, weight: calibratorWeight))
    }

    /// The embeddings shared, and every tower and transfer whose output a later task reads
    /// (the transfers carry each task's representation into the next); the last task's
    /// tower and transfer are its own, and each head is its task's. GradNorm reads the first
    /// tower's last layer, the last layer every task reads.
    public override var parameterSharing: ParameterSharing {
        let tasks = towers.count
        let chain: [Module] = Array(towers.prefix(tasks - 1)) + Array(transfers.prefix(max(0, tasks - 2)))
        let lastPath: [Module] = [towers[tasks - 1]] + (transfers.last.map { [$0] } ?? [])
        return ParameterSharing(
            groups: input.parameterSharing.groups + [
                .shared("information-transfer", chain),
                .perTask("last-task-path", (0..<tasks).map { $0 == tasks - 1 ? lastPath : [] }),
                .perTask("heads", heads.map { [$0] })],
            lastSharedLayer: towers[0].blocks.last!.linear.parameters().map(\.tensor))
    }

    /// The behavioural expectation calibrator for funnel probabilities `[N, T]` (T ≥ 2):
    /// `α · mean over samples i and tasks t ≥ 1 of max(ŷ_it − ŷ_i(t−1), 0)`, zero when every
    /// sample's probabilities never rise along the funnel.
    public static func calibratorLoss(_ probabilities: Tensor, weight: Float) -> Tensor {
        precondition(probabilities.rank == 2 && probabilities.shape[1] >= 2,
                     "the calibrator needs [N, T] probabilities with T ≥ 2, got \(probabilities.shape)")
        let tasks = probabilities.shape[1]
        let rise = probabilities.slice(axis: 1, 1..<tasks) - probabilities.slice(axis: 1, 0..<(tasks - 1))
        return rise.relu().mean() * weight
    }
}
