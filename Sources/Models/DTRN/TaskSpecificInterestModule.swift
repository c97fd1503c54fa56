import NN
import Tensor

/// DTRN's Task-specific Interest Module (TIM): one Transformer encoder shared by every
/// (task, behaviour type) pair, its layer norms conditioned on the pair by a hypernetwork,
/// then target-attention pooling. Gives one interest vector per task and behaviour.
///
/// `h_tb = MLP([z_t; c_b])`, and for each of the two norms `γ = 1 + W_γ h_tb`,
/// `β = W_β h_tb` with `W` initialised near zero, so training starts from a plain layer norm.
/// Ablations: without conditioning one interest per behaviour serves every task (plain,
/// learned layer norms); with separate encoders each pair has its own encoder and norms.
public final class TaskSpecificInterestModule: Module {
    /// How the encoder's norms depend on the (task, behaviour) pair.
    public enum Mode: String, Codable, Sendable {
        /// The hypernetwork conditions the shared encoder (DTRN).
        case conditioned
        /// No conditioning: one interest per behaviour, shared by all tasks (w/o TIM).
        case shared
        /// A separate encoder per pair (the parameter-heavy reference).
        case separate
    }

    /// Position embeddings, `[maxLength, d]`, added to the sequence embeddings.
    public let positions: Tensor
    /// One encoder (conditioned, shared) or one per pair, behaviour-major (separate).
    public let encoders: [InterestEncoder]
    /// Learned layer norms (two per encoder) when not conditioned.
    public let plainNorms: [LayerNorm]
    /// Task embeddings `z_t`, `[T, dz]`, when conditioned.
    public let taskEmbeddings: Tensor?
    /// Behaviour-type embeddings `c_b`, `[B, dz]`, when conditioned.
    public let behaviourEmbeddings: Tensor?
    /// The hypernetwork body, `[z_t; c_b] → h_tb`, when conditioned.
    public let hypernetwork: MLP?
    /// `h_tb → (W_γ1, W_β1, W_γ2, W_β2) h_tb`, `[4d]`, when conditioned.
    public let conditionHead: Linear?
    /// The pooling of the encoder output.
    public let pooling: SequencePooling
    /// The conditioning mode.
    public let mode: Mode
    private let tasks: Int

    /// A TIM over `behaviours` sequences of length at most `maxLength` for `tasks` tasks.
    public init(tasks: Int, behaviours: Int, maxLength: Int, dimension d: Int, config: ModelConfig, mode: Mode,
                pooling: SequencePooling, generator: inout RandomGenerator) {
        self.tasks = tasks
        self.mode = mode
        self.pooling = pooling
        positions = Initializer.normal(standardDeviation: 0.01).makeParameter([maxLength, d], generator: &generator)
        let encoderCount = mode == .separate ? tasks * behaviours : 1
        encoders = (0..<encoderCount).map { _ in
            InterestEncoder(dimension: d, heads: config.heads, feedForwardHidden: config.feedForwardHidden,
                            activation: config.activation, generator: &generator)
        }
        plainNorms = mode == .conditioned ? [] : (0..<(2 * encoderCount)).map { _ in LayerNorm(size: d) }
        if mode == .conditioned {
            let dz = config.conditionDimension
            taskEmbeddings = Initializer.normal(standardDeviation: 0.1).makeParameter([tasks, dz], generator: &generator)
            behaviourEmbeddings = Initializer.normal(standardDeviation: 0.1).makeParameter([behaviours, dz], generator: &generator)
            let body = MLP(inputSize: 2 * dz, hidden: config.hypernetworkHidden,
                           style: LayerStyle(activation: config.activation), generator: &generator)
            hypernetwork = body
            conditionHead = Linear(inputSize: body.outputSize, outputSize: 4 * d,
                                   initializer: .normal(standardDeviation: 1e-3), generator: &generator)
        } else {
            taskEmbeddings = nil
            behaviourEmbeddings = nil
            hypernetwork = nil
            conditionHead = nil
        }
    }

    /// The interests `u_tb` (`[N, d]`), indexed `[task][behaviour]`.
    public func callAsFunction(_ e: FeatureEmbedder.Embedded) -> [[Tensor]] {
        let behaviours = e.sequences.count
        guard behaviours > 0 else { return Array(repeating: [], count: tasks) }
        var interests = Array(repeating: [Tensor](), count: tasks)
        let conditions = mode == .conditioned ? conditionNorms(behaviours: behaviours) : []
        for b in 0..<behaviours {
            let (n, l, d) = (e.sequences[b].shape[0], e.sequences[b].shape[1], e.sequences[b].shape[2])
            // The encoder and the pooling run on the real positions alone.
            let packing = SequencePacking(mask: e.masks[b])
            guard packing.count > 0 else {
                // No real position in the batch: every sequence pools to zeros.
                for t in 0..<tasks { interests[t].append(Tensor.zeros([n, d])) }
                continue
            }
            let h = packing.pack(e.sequences[b] + positions.rows(0..<l))
            switch mode {
            case .conditioned:
                // One attention pass per behaviour, then all tasks at once: [T, R, d].
                let encoded = encoders[0].finish(encoders[0].attend(packed: h, packing), norms: conditions[b])
                let pooled = pooling(packed: encoded.reshaped([tasks * packing.count, d]), packing, target: e.target)
                for (t, u) in pooled.split(Array(repeating: n, count: tasks), axis: 0).enumerated() { interests[t].append(u) }
            case .shared:
                let u = pooling(packed: encode(h, packing, encoder: 0), packing, target: e.target)
                for t in 0..<tasks { interests[t].append(u) }
            case .separate:
                for t in 0..<tasks {
                    interests[t].append(pooling(packed: encode(h, packing, encoder: b * tasks + t), packing, target: e.target))
                }
            }
        }
        return interests
    }

    /// Shared: the position embeddings and the encoder with its norms (one encoder for every
    /// pair), and the hypernetwork with the behaviour embeddings, which condition every task.
    /// Each task's: its row of the task embeddings, and with separate encoders its own
    /// encoders and norms (one per behaviour). The last shared layer is the shared encoder's
    /// feed-forward output layer (none with separate encoders).
    public var parameterSharing: ParameterSharing {
        let behaviours = mode == .separate ? encoders.count / tasks : 0
        let ownEncoders: [[Module]] = (0..<tasks).map { t in
            (0..<behaviours).flatMap { b -> [Module] in
                let k = b * tasks + t
                return [encoders[k], plainNorms[2 * k], plainNorms[2 * k + 1]]
            }
        }
        let sharedEncoder: [Module] = mode == .separate ? [] : encoders + plainNorms
        var groups: [ParameterSharing.Group] = [.shared("interest-encoder", sharedEncoder, tensors: [positions])]
        if mode == .separate { groups.append(.perTask("interest-encoders", ownEncoders)) }
        if let taskEmbeddings, let behaviourEmbeddings, let hypernetwork, let conditionHead {
            groups.append(.shared("tim-hypernetwork", [hypernetwork, conditionHead], tensors: [behaviourEmbeddings]))
            groups.append(.perTask("task-embeddings", Array(repeating: [], count: tasks),
                                   slices: (0..<tasks).map { [.init(taskEmbeddings, rows: $0..<($0 + 1))] }))
        }
        let last = mode == .separate ? [] : encoders[0].feedForward.blocks.last!.linear.parameters().map(\.tensor)
        return ParameterSharing(groups: groups, lastSharedLayer: last)
    }

    /// Encoder `k` with its own learned norms over the packed positions `h: [R, d]`.
    private func encode(_ h: Tensor, _ packing: SequencePacking, encoder k: Int) -> Tensor {
        let (n1, n2) = (plainNorms[2 * k], plainNorms[2 * k + 1])
        return encoders[k].finish(encoders[k].attend(packed: h, packing),
                                  norms: .init(gamma1: n1.gamma, beta1: n1.beta, gamma2: n2.gamma, beta2: n2.beta))
    }

    /// Per behaviour, the norms of every task shaped `[T, 1, d]` (against packed positions
    /// `[R, d]`), from the hypernetwork.
    private func conditionNorms(behaviours: Int) -> [InterestEncoder.Norms] {
        guard let taskEmbeddings, let behaviourEmbeddings, let hypernetwork, let conditionHead else { return [] }
        // Pairs behaviour-major: row b·T + t holds (t, b).
        let taskIndex = (0..<(behaviours * tasks)).map { Int32($0 % tasks) }
        let behaviourIndex = (0..<(behaviours * tasks)).map { Int32($0 / tasks) }
        let pairs = Tensor.concat([taskEmbeddings.gather(taskIndex, shape: [behaviours * tasks]),
                                   behaviourEmbeddings.gather(behaviourIndex, shape: [behaviours * tasks])], axis: 1)
        let all = conditionHead(hypernetwork(pairs))
        let d = all.shape[1] / 4
        return (0..<behaviours).map { b in
            let parts = all.rows((b * tasks)..<((b + 1) * tasks)).split([d, d, d, d], axis: 1)
                .map { $0.reshaped([tasks, 1, d]) }
            return .init(gamma1: parts[0] + 1, beta1: parts[1], gamma2: parts[2] + 1, beta2: parts[3])
        }
    }
}
