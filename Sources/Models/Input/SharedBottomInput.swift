import NN
import Tensor

/// The input every baseline shares: the field embeddings plus one pooled interest vector
/// per behaviour sequence (target attention of the candidate item, or mean pooling without
/// one), the same for all tasks, flattened to `[N, (F + B) · d]`.
///
/// DTRN replaces exactly this part with task-specific representations, so comparisons
/// isolate what DTRN adds.
public final class SharedBottomInput: Module {
    /// The embeddings.
    public let embedder: FeatureEmbedder
    /// How sequences are pooled.
    public let pooling: SequencePooling

    /// The shared input for `layout` with embeddings of width `dimension`.
    public init(layout: FeatureLayout, dimension: Int, initialization: WeightInitialization = .standard,
                generator: inout RandomGenerator) {
        embedder = FeatureEmbedder(layout: layout, dimension: dimension, initialization: initialization,
                                   generator: &generator)
        pooling = layout.targetItemField == nil ? .mean : .targetAttention
    }

    /// The embeddings, shared by every task reading this input; GradNorm falls back to them
    /// when nothing above is shared.
    public var parameterSharing: ParameterSharing {
        ParameterSharing(groups: [.shared("embeddings", [embedder])], lastSharedLayer: embedder.parameters().map(\.tensor))
    }

    /// The width of the flattened output.
    public var outputSize: Int { (embedder.layout.fieldCount + embedder.layout.sequences.count) * embedder.dimension }

    /// `[N, (F + B) · d]` for `batch`.
    public func callAsFunction(_ batch: ModelBatch) -> Tensor {
        let e = embedder(batch)
        let n = batch.size, d = embedder.dimension
        var parts = [e.fields]
        for (sequence, mask) in zip(e.sequences, e.masks) {
            let target = e.target ?? Tensor.zeros([n, d])
            parts.append(pooling(sequence, mask: mask, target: target).reshaped([n, 1, d]))
        }
        let all = parts.count == 1 ? e.fields : Tensor.concat(parts, axis: 1)
        return all.reshaped([n, -1])
    }
}
