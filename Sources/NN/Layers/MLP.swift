import Tensor

/// A stack of fully connected blocks, each `Linear → (BatchNorm) → activation → (Dropout)`.
public final class MLP: Module {
    /// One fully connected layer with what follows it.
    public final class Block: Module {
        /// The affine map.
        public let linear: Linear
        /// Batch normalisation after the affine map, when enabled.
        public let norm: BatchNorm?
        /// The nonlinearity, absent on a linear read-out.
        public let activation: Activation?
        /// Dropout after the nonlinearity, when its probability is positive.
        public let dropout: Dropout?

        init(linear: Linear, norm: BatchNorm?, activation: Activation?, dropout: Dropout?) {
            self.linear = linear
            self.norm = norm
            self.activation = activation
            self.dropout = dropout
        }

        /// Applies the block.
        public func callAsFunction(_ x: Tensor) -> Tensor {
            var h = linear(x, then: norm, activation: activation ?? .identity)
            if let dropout { h = dropout(h) }
            return h
        }
    }

    /// The blocks, input first.
    public let blocks: [Block]
    /// The width of the output.
    public let outputSize: Int

    /// An MLP from `inputSize` through the `hidden` widths (the last is the output width).
    ///
    /// - Parameters:
    ///   - activateLast: Whether the last layer is a full block; false makes it a plain
    ///     linear read-out (no batch norm, activation or dropout).
    public init(
        inputSize: Int, hidden: [Int], style: LayerStyle = LayerStyle(), activateLast: Bool = true,
        generator: inout RandomGenerator
    ) {
        precondition(!hidden.isEmpty, "an MLP needs at least one layer")
        var blocks: [Block] = []
        var width = inputSize
        for (i, size) in hidden.enumerated() {
            let full = activateLast || i < hidden.count - 1
            let linear = Linear(inputSize: width, outputSize: size,
                                initializer: full ? style.initializer : style.readoutInitializer,
                                generator: &generator)
            blocks.append(Block(
                linear: linear,
                norm: full && style.batchNorm ? BatchNorm(features: size) : nil,
                activation: full ? style.activation : nil,
                dropout: full && style.dropout > 0 ? Dropout(probability: style.dropout, seed: generator.next()) : nil))
            width = size
        }
        self.blocks = blocks
        outputSize = width
    }

    /// Maps `[..., inputSize]` to `[..., outputSize]`.
    ///
    /// In a training step each block's output is dropped once the next block has read it, when
    /// its norm can recompute it (see `Tensor.dropValues()`).
    public func callAsFunction(_ x: Tensor) -> Tensor {
        var h = x
        for block in blocks {
            let next = block(h)
            if h !== x { h.dropValues() }
            h = next
        }
        return h
    }
}
