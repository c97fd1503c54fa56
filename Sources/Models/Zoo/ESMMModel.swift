import NN
import Tensor

/// ESMM, the Entire Space Multi-task Model (Ma et al., SIGIR 2018): a CTR tower and a CVR
/// tower on shared embeddings, predicting task 0 as pCTR and task 1 as
/// pCTCVR = pCTR · pCVR, both over all impressions.
///
/// The outputs are probabilities, so the loss trains the click tower on click labels and the
/// product on "clicked and converted" labels over the entire space; the CVR tower is never
/// fitted on clicked samples alone, which avoids the sample selection bias of a plain CVR model.
///
/// The layout must have exactly two binary tasks, in this order: click, then clicked and
/// converted. The second label must be 1 only for samples that were clicked and converted
/// (for Ali-CCP a purchase implies a click, so its purchase label qualifies as it is).
public final class ESMMModel: MultiTaskModel {
    /// The embeddings and pooled interests both towers read.
    public let input: SharedBottomInput
    /// The click tower, ending in the pCTR logit.
    public let clickTower: MLP
    /// The conversion tower, ending in the pCVR logit.
    public let conversionTower: MLP

    /// ESMM for a two-task `layout` (click, clicked and converted), each tower of hidden
    /// widths `bottomHidden + towerHidden`.
    public init(layout: FeatureLayout, config: ModelConfig, generator: inout RandomGenerator) throws {
        guard layout.tasks.count == 2, layout.tasks.allSatisfy({ $0.kind == .binary }) else {
            throw ModelError.unsupportedTasks(model: "esmm", requirement: "exactly 2 binary tasks (click, then clicked and converted)",
                                              tasks: layout.tasks.map(\.name))
        }
        let input = SharedBottomInput(layout: layout, dimension: config.embeddingDimension,
                                      initialization: config.initialization, generator: &generator)
        let towers = (0..<2).map { _ in
            MLP(inputSize: input.outputSize, hidden: config.bottomHidden + config.towerHidden + [1],
                style: config.layerStyle, activateLast: false, generator: &generator)
        }
        self.input = input
        (clickTower, conversionTower) = (towers[0], towers[1])
        super.init(layout: layout)
    }

    /// The two towers' probabilities, `[N, 1]` each: pCTR and pCVR (conversion given a click).
    public func towerProbabilities(_ batch: ModelBatch) -> (click: Tensor, conversion: Tensor) {
        let x = input(batch)
        return (clickTower(x).sigmoid(), conversionTower(x).sigmoid())
    }

    /// `[N, 2]` probabilities: pCTR and pCTCVR.
    public override func callAsFunction(_ batch: ModelBatch) -> TaskPredictions {
        let p = towerProbabilities(batch)
        return TaskPredictions(outputs: Self.join([p.click, p.click * p.conversion]), areProbabilities: true)
    }

    /// The embeddings and the click tower shared (pCTCVR = pCTR · pCVR reads the click tower
    /// too), the conversion tower the second task's alone. GradNorm reads the click tower's
    /// last layer.
    public override var parameterSharing: ParameterSharing {
        ParameterSharing(groups: input.parameterSharing.groups + [.shared("click-tower", [clickTower]),
                                                                  .perTask("conversion-tower", [[], [conversionTower]])],
                         lastSharedLayer: clickTower.blocks.last!.linear.parameters().map(\.tensor))
    }
}
