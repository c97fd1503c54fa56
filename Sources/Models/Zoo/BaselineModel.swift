import NN
import Tensor

/// A baseline: the input shared by all tasks (fields plus one target-attention pooling per
/// behaviour) under a multi-task backbone. Shared-Bottom, OMoE, MMoE, CGC, PLE and
/// Cross-Stitch are this with their backbone.
public final class BaselineModel: MultiTaskModel {
    /// The shared input.
    public let input: SharedBottomInput
    /// The multi-task part.
    public let backbone: any Backbone

    /// The baseline with backbone `name` (see ``ModelZoo/makeBackbone(_:tasks:inputSize:config:generator:)``).
    public init(layout: FeatureLayout, backbone name: String, config: ModelConfig, generator: inout RandomGenerator) throws {
        input = SharedBottomInput(layout: layout, dimension: config.embeddingDimension,
                                  initialization: config.initialization, generator: &generator)
        backbone = try ModelZoo.makeBackbone(name, tasks: layout.tasks.count, inputSize: input.outputSize, config: config,
                                             generator: &generator)
        super.init(layout: layout)
    }

    public override func callAsFunction(_ batch: ModelBatch) -> TaskPredictions {
        let x = input(batch)
        return TaskPredictions(outputs: Self.join(backbone(Array(repeating: x, count: layout.tasks.count))))
    }

    /// The input's embeddings shared, then the backbone's sharing.
    public override var parameterSharing: ParameterSharing {
        .stacking(input.parameterSharing, under: backbone.parameterSharing)
    }
}
