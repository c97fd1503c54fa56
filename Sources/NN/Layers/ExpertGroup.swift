import Tensor

/// K experts of equal shape (MLPs `inputSize → hidden…`) evaluated together: the first
/// layer of all experts is one matrix product against the concatenated weights, deeper
/// layers one batched product, never a loop of small products.
public final class ExpertGroup: Module {
    /// The first layer of every expert, `inputSize → K·hidden[0]`.
    public let first: Linear
    /// Batch norm after the first layer (statistics per expert and feature), when enabled.
    public let firstNorm: BatchNorm?
    /// The deeper layers, one stacked layer per depth.
    public let deeper: [StackedLinear]
    /// Batch norms after the deeper layers, when enabled.
    public let deeperNorms: [BatchNorm]
    /// The nonlinearity after every layer.
    public let activation: Activation
    /// The number of experts.
    public let count: Int
    /// The width of each expert's output.
    public let outputSize: Int

    /// `count` experts mapping `inputSize` features through the `hidden` widths.
    ///
    /// The style's activation and batch norm apply inside the experts; its dropout does not.
    public init(count: Int, inputSize: Int, hidden: [Int], style: LayerStyle = LayerStyle(),
                generator: inout RandomGenerator) {
        precondition(count > 0 && !hidden.isEmpty, "an expert group needs experts and layers")
        let initializer = style.initializer
        first = Linear(inputSize: inputSize, outputSize: count * hidden[0], initializer: initializer, generator: &generator)
        firstNorm = style.batchNorm ? BatchNorm(features: count * hidden[0]) : nil
        deeper = zip(hidden, hidden.dropFirst()).map {
            StackedLinear(count: count, inputSize: $0, outputSize: $1, initializer: initializer, generator: &generator)
        }
        deeperNorms = style.batchNorm ? hidden.dropFirst().map { BatchNorm(features: $0, groups: [count]) } : []
        activation = style.activation
        self.count = count
        outputSize = hidden.last!
    }

    /// Every expert's output for `x: [N, inputSize]`, shaped `[N, K, outputSize]`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        callAsFunction(afterFirstLayer: first(x, then: firstNorm, activation: activation))
    }

    /// Every expert's output from the first layer's output `[N, K·hidden[0]]` (batch-normalised
    /// when the group has a norm there, and activated), shaped `[N, K, outputSize]`.
    ///
    /// In a training step each layer's output is dropped once the next layer has read it (when
    /// its norm can recompute it, see `Tensor.dropValues()`): the backward makes it again, and
    /// until then its memory is free. This includes `firstOutput`.
    public func callAsFunction(afterFirstLayer firstOutput: Tensor) -> Tensor {
        let n = firstOutput.shape[0]
        var h = firstOutput.reshaped([n, count, -1])
        for (i, layer) in deeper.enumerated() {
            let next = layer(sampleFirst: h, then: i < deeperNorms.count ? deeperNorms[i] : nil, activation: activation)
            h.dropValues()
            h = next
        }
        return h
    }

    /// The gate-weighted sum of expert outputs: `experts: [N, K, d]`, `gates: [N, K]` → `[N, d]`.
    public static func mix(_ experts: Tensor, gates: Tensor) -> Tensor {
        Tensor.mixture(experts, gates: gates)
    }

    /// The gate-weighted sum of several groups' outputs (`[N, K_g, d]` each), as if joined
    /// along the expert axis: `gates: [N, ΣK_g]` → `[N, d]`.
    public static func mix(_ groups: [Tensor], gates: Tensor) -> Tensor {
        Tensor.mixture(groups, gates: gates)
    }
}

/// A softmax gate: a linear map to one logit per expert, optionally batch-normalised (as
/// torch-rechub's gates, one `Linear → BatchNorm → softmax` layer), then normalised.
public final class SoftmaxGate: Module {
    /// The logit layer.
    public let logits: Linear
    /// Batch norm of the logits, when enabled.
    public let norm: BatchNorm?

    /// A gate over `experts` experts reading `inputSize` features; the style's batch norm
    /// normalises the logits over the batch before the softmax, its read-out initializer sets
    /// the logit weights.
    public init(inputSize: Int, experts: Int, style: LayerStyle = LayerStyle(), generator: inout RandomGenerator) {
        logits = Linear(inputSize: inputSize, outputSize: experts, initializer: style.readoutInitializer,
                        generator: &generator)
        norm = style.batchNorm ? BatchNorm(features: experts) : nil
    }

    /// The mixture weights `[N, experts]` for `x: [N, inputSize]`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        callAsFunction(logits: logits(x, then: norm))
    }

    /// The mixture weights from the (batch-normalised, when the gate has a norm) logits.
    public func callAsFunction(logits: Tensor) -> Tensor {
        logits.softmax()
    }
}
