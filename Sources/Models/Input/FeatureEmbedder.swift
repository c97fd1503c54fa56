import NN
import Tensor

/// Turns a ``ModelBatch`` into embeddings: every categorical field through its own table,
/// every numeric field `x` as `x · w_f` (one learned vector per field), and every behaviour
/// sequence through the table of the field whose vocabulary it shares.
public final class FeatureEmbedder: Module {
    /// The embedded inputs of one batch.
    public struct Embedded {
        /// The per-sample fields, `[N, F, d]`: categorical first, then numeric.
        public var fields: Tensor
        /// The candidate item's embedding `[N, d]`, when the layout names one.
        public var target: Tensor?
        /// Per behaviour sequence, `[N, L, d]`.
        public var sequences: [Tensor]
        /// Per behaviour sequence, `[N, L]`: 1 real, 0 padding.
        public var masks: [Tensor]
    }

    /// One table per categorical field.
    public let tables: [Embedding]
    /// One table per sequence that has a vocabulary of its own (none for shared ones).
    public let sequenceTables: [Embedding?]
    /// The numeric fields' vectors, `[numericCount, d]`.
    public let numericVectors: Tensor?
    /// The layout embedded.
    public let layout: FeatureLayout
    /// The embedding width d.
    public let dimension: Int

    /// Embeddings of width `dimension` for `layout`, initialised by `initialization`'s rules.
    public init(layout: FeatureLayout, dimension: Int, initialization: WeightInitialization = .standard,
                generator: inout RandomGenerator) {
        tables = layout.categorical.map {
            Embedding(count: $0.vocabularySize, dimension: dimension, initializer: initialization.embedding,
                      generator: &generator)
        }
        sequenceTables = layout.sequences.map { spec in
            spec.vocabularyField == nil
                ? Embedding(count: spec.vocabularySize, dimension: dimension, initializer: initialization.embedding,
                            generator: &generator) : nil
        }
        numericVectors = layout.numeric.isEmpty ? nil
            : initialization.readout.makeParameter([layout.numeric.count, dimension], generator: &generator)
        self.layout = layout
        self.dimension = dimension
    }

    /// Embeds `batch`.
    public func callAsFunction(_ batch: ModelBatch) -> Embedded {
        let n = batch.size
        let fields = Tensor.gatherFields(tables.map(\.table), ids: batch.categorical, rows: n,
                                         numeric: numericVectors.map { (batch.numeric, $0) })
        let target = layout.targetItemField.map { fields.slice(axis: 1, $0 ..< $0 + 1).reshaped([n, dimension]) }
        let sequences = layout.sequences.indices.map { s in
            let table = layout.sequences[s].vocabularyField.map { tables[$0] } ?? sequenceTables[s]!
            return table(batch.sequences[s], shape: [n, layout.sequences[s].length])
        }
        return Embedded(fields: fields, target: target, sequences: sequences, masks: batch.sequenceMasks)
    }
}
