import Randomness
/// Draws the built-in synthetic dataset, bit-identically for a given `SyntheticConfig`.
///
/// The data are built to be diagnostic for multi-task models with task-specific bottoms: tasks
/// read the same behaviour sequence differently, depend on different fields, and — dialled by the
/// conflict c — need the same or unrelated nonlinear functions of the same shared fields.
/// Notation: k = `latentDimension`, C = `categories`, B = `behaviours`, T = `tasks`,
/// L = `sequenceLength`, N(0, s²) a normal draw, "standardise" = shift and scale to mean 0 and
/// standard deviation 1 over the rows of all three splits together.
///
/// **World** (drawn once from the seed):
/// - item i ∈ 1…I has category c(i) (items 1…C take categories 1…C, the rest uniform) and latent
///   q_i = (μ_c(i) + ξ_i)/√2 with category centres μ_c and ξ_i ~ N(0, I_k/k);
/// - user u ∈ 1…U has a segment g(u) uniform in 1…G (G = `userSegments`) and, per behaviour b, a
///   category preference π_ub = softmax(κ·(s_g(u)b + n_ub)/√2), s and n ~ N(0, I_C),
///   κ = `preferenceConcentration`: users of one segment browse alike;
/// - task t's shared part has M = `ridges` ridges, each a unit direction a_tm in ℝ^D (D =
///   `sharedFields`) and a phase φ_tm: the first M − round(c·M) ridges are common to all tasks, the
///   other round(c·M) are each task's own (directions uniform on the sphere, phases in [0, 2π));
/// - task t has reading directions w_t, w'_t ~ N(0, I_k/k); the values of item i are ⟨w_t, μ_c(i)⟩
///   (recency reading) and ⟨w'_t, μ_c(i)⟩ (subset reading);
/// - task t has a category subset S_t of ⌈`categorySubsetFraction`·C⌉ categories;
/// - categorical context field f has an effect η_f(v) ~ N(0, 1) per value v; context field f
///   (categorical first, then dense) is read by task f mod (T+1) if that is below T, else by none.
///
/// **Row** (user, candidate item, context, B sequences):
/// - u uniform; the candidate's category is drawn from π_u0 with probability `candidatePreference`,
///   else uniformly; the candidate i is uniform within its category;
/// - behaviour b's sequence has n_b uniform in `minimumSequenceLength`…L items, each with category
///   ~ π_ub and item uniform within it, stored right-aligned (newest in slot L−1, age 0);
/// - categorical context values are uniform over their vocabulary, dense ones ~ N(0, 1); the D
///   shared fields s ~ N(0, I_D).
///
/// **Logit of task t** (relevance of a sequence item s to the candidate: ⟨q_s, q_i⟩):
/// - shared part H_t = Σ_m sin(ω·⟨a_tm, s⟩ + φ_tm), ω = `ridgeFrequency`: a wiggly function of the
///   shared fields that a network spends hidden units on. At c = 0 every task needs the same
///   function (a sparse task profits from the others' labels); at c = 1 each task needs its own
///   (correlation ≈ 0), so a shared bottom of limited width must fit T·M ridges where a
///   single-task network fits M — conflict under a capacity limit. Between tasks,
///   corr(H_s, H_t) ≈ 1 − c.
///   A sign flip would be no conflict (any tower can negate a readout), so the dial never flips one;
/// - relevance weight of a sequence item s: ρ_s = exp(τ·⟨q_s, q_i⟩), τ = `relevanceSharpness`;
/// - recency reading R_t = Σ_a γ^a ρ_a v_t(s_a) / Σ_a γ^a ρ_a over behaviour t mod B's items by age a,
///   γ = `recencyDecay`, v_t the item's recency value;
/// - subset reading S_t = Σ ρ_s v'_t(s) / Σ ρ_s over the items s of behaviour (t+1) mod B whose
///   category is in S_t, anywhere in the sequence (0 if none). So every behaviour is read by one
///   task for its newest items and by another for a category subset: one task-shared pooling per
///   behaviour cannot serve both, a task-conditioned one can. Both readings are what a target
///   attention (weights from item–candidate dot products) followed by a linear readout computes;
/// - field term F_t = Σ η_f(value) + Σ x_f over the categorical and dense fields task t reads;
/// - observable logit O_t = σ_s · standardise(√w_H·std(H_t) + √w_Q·std(std(R_t) + std(S_t)) + √w_F·std(F_t)),
///   std = standardise, w = (`sharedWeight`, `sequenceWeight`, `fieldWeight`) normalised to sum 1,
///   σ_s = `signalStd` — so every seed has the same signal strength;
/// - oracle logit z_t = O_t + λ·ε_t + β_t, ε_t ~ N(0, 1) hidden per row, λ = `labelNoise`, and β_t
///   solved so that the mean of sigmoid(z_t) over all rows is task t's positive rate;
/// - label y_t ~ Bernoulli(sigmoid(z_t)); ceiling score O_t + β_t.
///
/// The oracle AUC is the AUC of z_t, the ceiling AUC that of O_t + β_t: the best any model can do
/// from the observable inputs, reached only by learning the latents from the data.
public struct SyntheticGenerator: Sendable {
    /// The validated configuration.
    public let config: SyntheticConfig

    /// A generator for `config`; throws a `SyntheticConfigError` if a setting is out of range.
    public init(config: SyntheticConfig) throws {
        try config.validate()
        self.config = config
    }

    /// Draws the dataset: the world, the rows of train, validation and test, then their labels.
    public func generate() -> SyntheticDataset {
        var worldRandom = RandomGenerator(seed: config.seed, stream: 0)
        let world = SyntheticWorld(config: config, random: &worldRandom)
        let sizes = [config.trainRows, config.validationRows, config.testRows]
        let offsets = sizes.indices.map { sizes.prefix($0).reduce(0, +) }
        var terms = SyntheticTerms(tasks: config.tasks, rows: sizes.reduce(0, +))
        let features = sizes.indices.map { s in
            var random = RandomGenerator(seed: config.seed, stream: UInt64(1 + s))
            return world.sampleRows(sizes[s], offset: offsets[s], terms: &terms, random: &random)
        }
        let logits = SyntheticLogits(terms: terms, config: config)
        let splits = sizes.indices.map { s in
            var random = RandomGenerator(seed: config.seed, stream: UInt64(1 + sizes.count + s))
            return split(features[s], rows: offsets[s] ..< offsets[s] + sizes[s], logits: logits, random: &random)
        }
        return SyntheticDataset(config: config, train: splits[0], validation: splits[1], test: splits[2])
    }

    /// Assembles one split's columns and draws its labels from the oracle logits of `rows`.
    private func split(
        _ features: SyntheticFeatures, rows: Range<Int>, logits: SyntheticLogits, random: inout RandomGenerator
    ) -> SyntheticSplit {
        let categorical =
            [
                SyntheticCategoricalColumn(name: "user_id", vocabularySize: config.users, values: features.users),
                SyntheticCategoricalColumn(name: "item_id", vocabularySize: config.items, values: features.candidates),
                SyntheticCategoricalColumn(
                    name: "item_category", vocabularySize: config.categories, values: features.candidateCategories),
            ]
            + features.context.enumerated().map { f, values in
                SyntheticCategoricalColumn(
                    name: "context_\(f)", vocabularySize: config.contextVocabularies[f], values: values)
            }
        let numeric =
            features.dense.enumerated().map { f, values in SyntheticNumericColumn(name: "dense_\(f)", values: values) }
            + features.shared.enumerated().map { f, values in SyntheticNumericColumn(name: "shared_\(f)", values: values) }
        let sequences = (0..<config.behaviours).map { b in
            SyntheticSequenceColumn(
                name: "behaviour_\(b)", length: config.sequenceLength, itemField: "item_id",
                categoryField: "item_category", items: features.sequenceItems[b],
                categories: features.sequenceCategories[b], lengths: features.sequenceLengths[b])
        }
        let labels = (0..<config.tasks).map { t in
            let oracle = logits.oracle[t][rows]
            return SyntheticLabelColumn(
                name: "task_\(t)",
                values: oracle.map { random.nextBernoulli(sigmoid($0)) ? 1 : 0 },
                oracleLogits: oracle.map { Float($0) },
                ceilingScores: logits.ceiling[t][rows].map { Float($0) })
        }
        return SyntheticSplit(
            rowCount: rows.count, categorical: categorical, numeric: numeric, sequences: sequences,
            labels: labels, groupKeys: features.users)
    }
}
