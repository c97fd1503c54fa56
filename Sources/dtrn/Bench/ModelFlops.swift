import Models
import RecData

/// The floating-point work of one sample through a model, counted from its config and
/// feature layout the way the model computes it.
///
/// Counted are the matrix products, 2 FLOPs per multiply-add: every linear and stacked
/// expert layer (`in · out`), self-attention's `Q·Kᵀ` and `weights·V` (`L² · d` each per
/// sequence of length L), and sequence pooling (`L · d` per product). Not counted: embedding
/// lookups, batch and layer norms, activations, softmax, the gate-weighted expert sums and
/// DTRN's hypernetwork (which runs once per batch, not per sample). A training step costs
/// three forward passes: the backward pass computes two products (`dX = dY·Wᵀ`,
/// `dW = Xᵀ·dY`) for every forward one.
///
/// This is the model's work as dense products, the same count the PyTorch reference reports.
/// dtrn computes a linear map over gathered embeddings from per-value projections when the
/// tables are small next to the batch (see `Tensor.linear(_:bias:)`), doing a fraction of
/// that layer's products, so its rate in these FLOPs can pass the cores' peak. And DTRN's
/// encoder runs on the real positions of each sequence, not the padding (`SequencePacking`):
/// given the data's ``SequenceExtent``s, the count is of those products instead.
struct ModelFlops {
    /// The positions one behaviour sequence's encoder runs over, per sample.
    struct SequenceExtent {
        /// Positions per sample (the padded length L, or a split's mean real length).
        var length: Double
        /// Their square, averaged over samples (self-attention's products grow with it).
        var squaredLength: Double

        /// The padded length L of every sample.
        init(padded length: Int) {
            self.length = Double(length)
            squaredLength = Double(length * length)
        }

        /// The mean and mean square of real lengths `lengths`.
        init(lengths: Column<Int32>) {
            let count = Double(max(1, lengths.count))
            var (sum, squares) = (0.0, 0.0)
            lengths.withUnsafeBufferPointer { lengths in
                for l in lengths {
                    sum += Double(l)
                    squares += Double(l) * Double(l)
                }
            }
            length = sum / count
            squaredLength = squares / count
        }
    }

    /// The multiply-adds of one sample's forward pass.
    var multiplyAdds: Double

    /// FLOPs of one sample's forward pass.
    var forward: Double { 2 * multiplyAdds }

    /// FLOPs of one sample's training step (forward and backward).
    var training: Double { 3 * forward }

    /// The count for `config` on `layout`, DTRN's encoder over `extents` (one per sequence;
    /// the padded lengths when nil); nil for the models it does not cover (Cross-Stitch, ESMM,
    /// AITM).
    init?(config: ModelConfig, layout: FeatureLayout, extents: [SequenceExtent]? = nil) {
        let count = Count(config: config, layout: layout,
                          extents: extents ?? layout.sequences.map { SequenceExtent(padded: $0.length) })
        let width = (layout.fieldCount + layout.sequences.count) * config.embeddingDimension
        switch config.model {
        case "shared-bottom", "omoe", "mmoe", "cgc", "ple":
            multiplyAdds = Double(count.sequencePooling() + count.backbone(config.model, inputSize: width, distinctInputs: 1))
        case "single-task":
            let network = Count.mlp(width, config.bottomHidden + config.towerHidden + [1])
            multiplyAdds = Double(layout.tasks.count * (count.sequencePooling() + network))
        case "dtrn":
            multiplyAdds = count.dtrn(inputSize: width)
        default:
            return nil
        }
    }

    /// The per-part counts of one config and layout.
    private struct Count {
        let config: ModelConfig
        let layout: FeatureLayout
        let extents: [SequenceExtent]
        var tasks: Int { layout.tasks.count }
        var d: Int { config.embeddingDimension }

        /// An MLP from `input` through `widths`.
        static func mlp(_ input: Int, _ widths: [Int]) -> Int {
            zip([input] + widths, widths).reduce(0) { $0 + $1.0 * $1.1 }
        }

        /// `count` experts of `config.expertHidden` widths reading `input` features.
        func experts(_ count: Int, input: Int) -> Int {
            count * Self.mlp(input, config.expertHidden)
        }

        /// The towers `hidden… → 1` on inputs of width `input`.
        func towers(input: Int) -> Int {
            tasks * Self.mlp(input, config.towerHidden + [1])
        }

        /// Pooling every behaviour sequence at its padded length: the target's scores and the
        /// weighted sum, or the weighted sum alone for mean pooling.
        func sequencePooling() -> Int {
            let products = layout.targetItemField == nil ? 1 : 2
            return layout.sequences.reduce(0) { $0 + products * $1.length * d }
        }

        /// The backbone `name` on per-task inputs of width `inputSize`, of which
        /// `distinctInputs` differ (shared parts run once per distinct input).
        func backbone(_ name: String, inputSize: Int, distinctInputs: Int) -> Int {
            switch name {
            case "shared-bottom":
                return distinctInputs * Self.mlp(inputSize, config.bottomHidden)
                    + towers(input: config.bottomHidden.last ?? inputSize)
            case "mmoe", "omoe":
                // Every task's input passes its gate, also OMoE's single one.
                return distinctInputs * experts(config.expertCount, input: inputSize)
                    + tasks * inputSize * config.expertCount + towers(input: config.expertHidden.last!)
            case "ple", "cgc":
                return extractionLevels(name == "cgc" ? 1 : config.levels, inputSize: inputSize, distinctInputs: distinctInputs)
                    + towers(input: config.expertHidden.last!)
            default:
                // DTRN's `towers`: each task's tower is a whole single-task DNN (see `ModelZoo.makeBackbone`).
                return tasks * Self.mlp(inputSize, config.bottomHidden + config.towerHidden + [1])
            }
        }

        /// PLE's levels. The shared experts run once on the shared input, except on a first
        /// level with task-specific inputs, where they run on each task's input and (when a
        /// shared gate mixes them for the next level) on the shared input too.
        func extractionLevels(_ levels: Int, inputSize: Int, distinctInputs: Int) -> Int {
            let (own, shared) = (config.taskExpertCount, config.sharedExpertCount)
            var width = inputSize, total = 0
            for level in 0..<levels {
                let sharedPasses = level > 0 || distinctInputs == 1 ? 1 : tasks + (levels > 1 ? 1 : 0)
                total += tasks * experts(own, input: width) + sharedPasses * experts(shared, input: width)
                total += tasks * width * (own + shared)
                if level < levels - 1 { total += width * (tasks * own + shared) }
                width = config.expertHidden.last!
            }
            return total
        }

        /// DTRN: per behaviour, the attention residual once per encoder, the feed-forward
        /// layer and pooling once per (task, behaviour) interest, all over the sequence's
        /// extent; the per-task field gates; the backbone on the per-task representations.
        func dtrn(inputSize: Int) -> Double {
            let separate = config.separateEncoders, conditioned = !separate && config.taskSpecificInterest
            let interestsPerBehaviour = separate || conditioned ? tasks : 1
            let attentionPasses = separate ? tasks : 1
            let poolingProducts = Double(layout.targetItemField == nil ? 1 : 2)
            var encoders = 0.0
            for extent in extents {
                let (l, l2, d) = (extent.length, extent.squaredLength, Double(d))
                let attention = l * d * 3 * d + 2 * l2 * d + l * d * d
                let perInterest = 2 * l * d * Double(config.feedForwardHidden) + poolingProducts * l * d
                encoders += Double(attentionPasses) * attention + Double(interestsPerBehaviour) * perInterest
            }
            var total = 0
            let fields = layout.fieldCount + layout.sequences.count
            if config.representationRefinement {
                let bottleneck = max(1, fields / max(1, config.gateReduction))
                total += tasks * 2 * fields * bottleneck
            }
            let perTask = config.representationRefinement || (interestsPerBehaviour > 1 && !layout.sequences.isEmpty)
            return encoders + Double(total + backbone(config.backbone, inputSize: inputSize, distinctInputs: perTask ? tasks : 1))
        }
    }
}
