import NN
import Tensor

/// Shared-Bottom: one MLP shared by all tasks, then a tower per task.
public final class SharedBottomBackbone: Module, Backbone {
    /// The shared MLP.
    public let bottom: MLP
    /// The towers.
    public let towers: Towers

    /// A shared MLP of `bottomHidden` widths under towers of `towerHidden` widths.
    public init(tasks: Int, inputSize: Int, bottomHidden: [Int], towerHidden: [Int], style: LayerStyle = LayerStyle(), generator: inout RandomGenerator) {
        bottom = MLP(inputSize: inputSize, hidden: bottomHidden, style: style, generator: &generator)
        towers = Towers(tasks: tasks, inputSize: bottom.outputSize, hidden: towerHidden, style: style,
                        generator: &generator)
    }

    public func callAsFunction(_ inputs: [Tensor]) -> [Tensor] {
        towers(applyShared(inputs) { bottom($0) })
    }

    /// The bottom shared, the towers each task's; GradNorm reads the bottom's last layer.
    public var parameterSharing: ParameterSharing {
        ParameterSharing(groups: [.shared("shared-bottom", [bottom])] + towers.parameterSharing.groups,
                         lastSharedLayer: bottom.blocks.last!.linear.parameters().map(\.tensor))
    }
}
