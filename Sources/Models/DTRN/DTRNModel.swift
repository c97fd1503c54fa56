import NN
import Tensor

/// DTRN (Liu et al., CIKM 2023): a task-specific bottom representation — TIM's interests
/// per (task, behaviour) and TRM's per-task field gates — under any multi-task backbone
/// (`towers`, `shared-bottom`, `mmoe`, `ple`).
public final class DTRNModel: MultiTaskModel {
    /// The field and sequence embeddings.
    public let embedder: FeatureEmbedder
    /// The Task-specific Interest Module.
    public let interests: TaskSpecificInterestModule
    /// The Task-specific Representation Refinement Module.
    public let refinement: RepresentationRefinementModule
    /// The multi-task part on top.
    public let backbone: any Backbone

    /// A DTRN for `layout` as `config` describes.
    public init(layout: FeatureLayout, config: ModelConfig, generator: inout RandomGenerator) throws {
        let d = config.embeddingDimension, tasks = layout.tasks.count
        embedder = FeatureEmbedder(layout: layout, dimension: d, initialization: config.initialization,
                                   generator: &generator)
        let mode: TaskSpecificInterestModule.Mode =
            config.separateEncoders ? .separate : (config.taskSpecificInterest ? .conditioned : .shared)
        interests = TaskSpecificInterestModule(
            tasks: tasks, behaviours: layout.sequences.count, maxLength: layout.sequences.map(\.length).max() ?? 1,
            dimension: d, config: config, mode: mode, pooling: config.pooling, generator: &generator)
        let fields = layout.fieldCount + layout.sequences.count
        refinement = RepresentationRefinementModule(
            tasks: tasks, fields: fields, enabled: config.representationRefinement, reduction: config.gateReduction,
            kind: config.gateKind, activation: config.activation, generator: &generator)
        backbone = try ModelZoo.makeBackbone(config.backbone, tasks: tasks, inputSize: fields * d, config: config,
                                             generator: &generator)
        super.init(layout: layout)
    }

    public override func callAsFunction(_ batch: ModelBatch) -> TaskPredictions {
        let e = embedder(batch)
        let perTask = refinement(fields: e.fields, interests: interests(e))
        return TaskPredictions(outputs: Self.join(backbone(perTask)))
    }

    /// The embeddings, TIM's encoder and hypernetwork shared, TIM's task embeddings and
    /// TRM's gates each task's, then the backbone's sharing. GradNorm reads the backbone's
    /// last shared layer, or under towers the last shared layer of TIM (its encoder's
    /// feed-forward output) or, without one, the embeddings.
    ///
    /// Under a PLE of several levels the shared gate reads the mean of every task's bottom
    /// representation, so every task's loss reaches every task's TIM and TRM part: they are
    /// shared there.
    public override var parameterSharing: ParameterSharing {
        let timGroups = interests.parameterSharing
        let mixesBottoms = (backbone as? ProgressiveLayeredExtractionBackbone).map { $0.levels.count > 1 } ?? false
        let groups = [.shared("embeddings", [embedder])] + timGroups.groups
            + [.perTask("trm-gates", refinement.gates.map { [$0] })]
        let bottom = ParameterSharing(
            groups: mixesBottoms ? groups.map { $0.mergingTasks() } : groups,
            lastSharedLayer: layout.sequences.isEmpty || timGroups.lastSharedLayer.isEmpty
                ? embedder.parameters().map(\.tensor) : timGroups.lastSharedLayer)
        return .stacking(bottom, under: backbone.parameterSharing)
    }
}
