import Tensor

/// A table of `count` learned vectors of width `dimension`, looked up by integer id.
///
/// The table records row-sparse gradients, so optimizers update only the rows a batch used.
public final class Embedding: Module {
    /// The table, `[count, dimension]`.
    public let table: Tensor

    /// A table of `count` rows of width `dimension`, initialised by `initializer`.
    public init(count: Int, dimension: Int, initializer: Initializer = WeightInitialization.standard.embedding,
                generator: inout RandomGenerator) {
        table = initializer.makeParameter([count, dimension], generator: &generator)
        table.prefersRowSparseGradient = true
    }

    /// The number of rows.
    public var count: Int { table.shape[0] }
    /// The width of a row.
    public var dimension: Int { table.shape[1] }

    /// The rows named by `ids`, shaped `shape + [dimension]`.
    public func callAsFunction(_ ids: [Int32], shape: [Int]) -> Tensor {
        table.gather(ids, shape: shape)
    }
}
