import NN
import Tensor

/// One tower per task on that task's input: `ŷ_t = tower_t(x_t)`.
public final class Towers: Module, Backbone {
    /// The towers.
    public let towers: [MLP]

    /// Towers of `hidden` widths for `tasks` tasks.
    public init(tasks: Int, inputSize: Int, hidden: [Int], style: LayerStyle = LayerStyle(),
                generator: inout RandomGenerator) {
        towers = makeTowers(count: tasks, inputSize: inputSize, hidden: hidden, style: style, generator: &generator)
    }

    public func callAsFunction(_ inputs: [Tensor]) -> [Tensor] {
        zip(towers, inputs).map { tower, x in tower(x) }
    }

    /// Nothing shared: each tower is its task's.
    public var parameterSharing: ParameterSharing {
        ParameterSharing(groups: [.perTask("towers", towers.map { [$0] })], lastSharedLayer: [])
    }
}
