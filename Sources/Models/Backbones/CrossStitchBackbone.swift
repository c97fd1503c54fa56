import NN
import Tensor

/// Cross-Stitch networks (Misra et al., CVPR 2016): one MLP column per task, and after each
/// hidden layer a cross-stitch unit that replaces every column's activations by a learned
/// linear combination of all columns' activations, `h̃_t = Σ_s α_ts h_s`; then a tower per task.
///
/// The T columns of one depth are one batched product over `[T, N, d]`, and each stitch is
/// one product of its `T × T` matrix with the activations along the task axis. The stitches
/// start at 0.9 on the diagonal and 0.1/(T−1) off it, so each column starts mostly its own
/// (with one task the stitch is the identity).
public final class CrossStitchBackbone: Module, Backbone {
    /// The columns' layers, one stacked layer per depth (layer t on column t).
    public let layers: [StackedLinear]
    /// Batch norms after the layers (statistics per column and feature), when enabled.
    public let norms: [BatchNorm]
    /// Dropout after each layer's activation, when its probability is positive.
    public let dropouts: [Dropout]
    /// The cross-stitch units `α`, `[T, T]` each, one per depth: row t mixes into column t.
    public let stitches: [Tensor]
    /// The towers.
    public let towers: Towers
    /// The nonlinearity after every layer.
    public let activation: Activation

    /// Columns of `columnHidden` widths for `tasks` tasks under towers of `towerHidden` widths.
    public init(tasks: Int, inputSize: Int, columnHidden: [Int], towerHidden: [Int], style: LayerStyle = LayerStyle(),
                generator: inout RandomGenerator) {
        precondition(!columnHidden.isEmpty, "cross-stitch columns need at least one layer")
        let initializer = style.initializer
        layers = zip([inputSize] + columnHidden, columnHidden).map {
            StackedLinear(count: tasks, inputSize: $0, outputSize: $1, initializer: initializer, generator: &generator)
        }
        norms = style.batchNorm ? columnHidden.map { BatchNorm(features: $0, groups: [tasks]) } : []
        dropouts = style.dropout > 0
            ? columnHidden.map { _ in Dropout(probability: style.dropout, seed: generator.next()) } : []
        let offDiagonal: Float = tasks > 1 ? 0.1 / Float(tasks - 1) : 0
        let initial = (0..<(tasks * tasks)).map { $0 / tasks == $0 % tasks ? (tasks > 1 ? 0.9 : 1) : offDiagonal }
        stitches = columnHidden.map { _ in Tensor(shape: [tasks, tasks], values: initial, requiresGrad: true) }
        towers = Towers(tasks: tasks, inputSize: columnHidden.last!, hidden: towerHidden, style: style,
                        generator: &generator)
        activation = style.activation
    }

    public func callAsFunction(_ inputs: [Tensor]) -> [Tensor] {
        let (tasks, n) = (inputs.count, inputs[0].shape[0])
        var h = Tensor.concat(inputs.map { $0.reshaped([1, n, -1]) }, axis: 0)
        for (depth, layer) in layers.enumerated() {
            h = layer(h, then: depth < norms.count ? norms[depth] : nil, activation: activation)
            if depth < dropouts.count { h = dropouts[depth](h) }
            h = stitches[depth].matmul(h.reshaped([tasks, -1])).reshaped([tasks, n, -1])
        }
        return towers(h.split(Array(repeating: 1, count: tasks), axis: 0).map { $0.reshaped([n, -1]) })
    }

    /// The columns and the stitches shared (a stitch mixes every column into every task's
    /// path), the towers each task's. GradNorm reads the last columns' layer.
    public var parameterSharing: ParameterSharing {
        ParameterSharing(groups: [.shared("columns", layers + norms), .shared("stitches", [], tensors: stitches)]
                                 + towers.parameterSharing.groups,
                         lastSharedLayer: layers.last!.parameters().map(\.tensor))
    }
}
