import NN
import Tensor

/// Single-task DNNs: one complete model per task (its own embeddings, sequence pooling and
/// MLP), trained side by side — the reference with no sharing at all.
public final class SingleTaskModel: MultiTaskModel {
    /// Each task's input.
    public let inputs: [SharedBottomInput]
    /// Each task's MLP, ending in one output.
    public let networks: [MLP]

    /// One DNN per task with hidden widths `bottomHidden + towerHidden`.
    public init(layout: FeatureLayout, config: ModelConfig, generator: inout RandomGenerator) {
        var inputs: [SharedBottomInput] = []
        var networks: [MLP] = []
        for _ in layout.tasks {
            let input = SharedBottomInput(layout: layout, dimension: config.embeddingDimension,
                                          initialization: config.initialization, generator: &generator)
            networks.append(MLP(inputSize: input.outputSize, hidden: config.bottomHidden + config.towerHidden + [1],
                                style: config.layerStyle, activateLast: false,
                                generator: &generator))
            inputs.append(input)
        }
        self.inputs = inputs
        self.networks = networks
        super.init(layout: layout)
    }

    public override func callAsFunction(_ batch: ModelBatch) -> TaskPredictions {
        TaskPredictions(outputs: Self.join(zip(inputs, networks).map { input, network in network(input(batch)) }))
    }

    /// Nothing shared: each task's input and network are its own.
    public override var parameterSharing: ParameterSharing {
        ParameterSharing(groups: [.perTask("networks", zip(inputs, networks).map { [$0, $1] })], lastSharedLayer: [])
    }
}
