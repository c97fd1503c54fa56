import Models
import NN
import Tensor

/// The embedded inputs of an ONNX graph, as ``FeatureEmbedder/Embedded`` holds them in Swift.
public struct EmbeddedValues {
    /// The per-sample fields, `[N, F, d]`: categorical first, then numeric.
    public var fields: String
    /// The candidate item's embedding `[N, d]`, when the layout names one.
    public var target: String?
    /// Per behaviour sequence, `[N, L, d]`.
    public var sequences: [String]
    /// Per behaviour sequence, `[N, L]`: 1 real, 0 padding.
    public var masks: [String]
}

extension ONNXGraphBuilder {
    /// The embeddings of the signature's inputs: each categorical id through its field's table
    /// (Gather), each numeric value `x` as `x · w_f`, each sequence through the table whose
    /// vocabulary it shares, with its mask `id != 0`.
    public func embed(_ embedder: FeatureEmbedder, signature: ModelSignature) -> EmbeddedValues {
        let layout = embedder.layout
        let names = signature.inputs.map(\.name)
        let categoricalNames = Array(names.prefix(layout.categorical.count))
        let numericNames = Array(names.dropFirst(layout.categorical.count).prefix(layout.numeric.count))
        let sequenceNames = Array(names.suffix(layout.sequences.count))
        let tables = embedder.tables.map { constant($0.table) }
        let categorical = zip(tables, categoricalNames).map { table, name in gather(table, name) }
        var parts = categorical.map { unsqueeze($0, axes: [1]) }
        if let vectors = embedder.numericVectors {
            let values = concat(numericNames.map { unsqueeze($0, axes: [1]) }, axis: 1)
            parts.append(mul(unsqueeze(values, axes: [2]), constant(vectors)))
        }
        let fields = concat(parts, axis: 1)
        let target = layout.targetItemField.map { categorical[$0] }
        let sequences = layout.sequences.indices.map { s in
            let table = layout.sequences[s].vocabularyField.map { tables[$0] } ?? constant(embedder.sequenceTables[s]!.table)
            return gather(table, sequenceNames[s])
        }
        return EmbeddedValues(fields: fields, target: target, sequences: sequences,
                              masks: sequenceNames.map { nonZeroMask($0) })
    }
}
