import Randomness
import Foundation

/// The observable features of one split's rows, as flat arrays.
struct SyntheticFeatures {
    var users: [Int32]
    var candidates: [Int32]
    var candidateCategories: [Int32]
    /// One column per categorical context field.
    var context: [[Int32]]
    /// One column per dense context field.
    var dense: [[Float]]
    /// One column per shared field (the inputs of every task's shared part).
    var shared: [[Float]]
    /// Per behaviour: `rows × L` right-aligned item ids, their categories, and the lengths.
    var sequenceItems: [[Int32]]
    var sequenceCategories: [[Int32]]
    var sequenceLengths: [[Int32]]
}

/// The raw (not yet standardised) logit terms of every task over the rows of all splits, each
/// `[task][row]`.
struct SyntheticTerms {
    /// H_t: task t's ridge sum over the shared fields.
    var shared: [[Double]]
    /// R_t: task t's values of behaviour t mod B's items, weighted by recency and relevance.
    var recency: [[Double]]
    /// S_t: task t's values of behaviour (t+1) mod B's items in category subset S_t, weighted by
    /// relevance.
    var subset: [[Double]]
    /// F_t: sum of the effects of the context fields task t reads.
    var fields: [[Double]]
    /// ε_t: standard normal hidden noise.
    var noise: [[Double]]

    init(tasks: Int, rows: Int) {
        let zeros = [[Double]](repeating: [Double](repeating: 0, count: rows), count: tasks)
        (shared, recency, subset, fields, noise) = (zeros, zeros, zeros, zeros, zeros)
    }
}

extension SyntheticWorld {
    /// Draws `rows` rows, returns their features and writes their raw terms at rows
    /// `offset ..< offset + rows` of `terms`.
    func sampleRows(
        _ rows: Int, offset: Int, terms: inout SyntheticTerms, random: inout RandomGenerator
    ) -> SyntheticFeatures {
        let (users, categories, tasks) = (config.users, config.categories, config.tasks)
        let (behaviours, length) = (config.behaviours, config.sequenceLength)
        let vocabularies = config.contextVocabularies
        let contextCount = vocabularies.count
        let ownedContext = (0..<tasks).map { t in (0..<contextCount).filter { fieldOwners[$0] == t } }
        let ownedDense = (0..<tasks).map { t in
            (0..<config.denseFields).filter { fieldOwners[contextCount + $0] == t }
        }

        var userColumn = [Int32](repeating: 0, count: rows)
        var candidateColumn = [Int32](repeating: 0, count: rows)
        var candidateCategoryColumn = [Int32](repeating: 0, count: rows)
        var context = [[Int32]](repeating: [Int32](repeating: 0, count: rows), count: contextCount)
        var dense = [[Float]](repeating: [Float](repeating: 0, count: rows), count: config.denseFields)
        var shared = [[Float]](repeating: [Float](repeating: 0, count: rows), count: config.sharedFields)
        var sharedValues = [Double](repeating: 0, count: config.sharedFields)
        let emptySequences = [Int32](repeating: 0, count: rows * length)
        var sequenceItems = [[Int32]](repeating: emptySequences, count: behaviours)
        var sequenceCategories = sequenceItems
        var sequenceLengths = [[Int32]](repeating: [Int32](repeating: 0, count: rows), count: behaviours)
        let sharpness = config.relevanceSharpness
        /// exp(τ·⟨q_s, q_i⟩) of every slot, behaviour-major.
        var attention = [Double](repeating: 0, count: behaviours * length)
        let lengthChoices = length - config.minimumSequenceLength + 1

        for r in 0..<rows {
            let user = 1 + random.nextInt(below: users)
            let candidateCategory = random.nextBernoulli(config.candidatePreference)
                ? preferredCategory(user: user, behaviour: 0, random: &random)
                : 1 + random.nextInt(below: categories)
            let candidate = item(inCategory: candidateCategory, random: &random)
            userColumn[r] = Int32(user)
            candidateColumn[r] = candidate
            candidateCategoryColumn[r] = Int32(candidateCategory)

            for b in 0..<behaviours {
                let n = config.minimumSequenceLength + random.nextInt(below: lengthChoices)
                sequenceLengths[b][r] = Int32(n)
                for slot in (length - n)..<length {
                    let c = preferredCategory(user: user, behaviour: b, random: &random)
                    let seen = item(inCategory: c, random: &random)
                    sequenceItems[b][r * length + slot] = seen
                    sequenceCategories[b][r * length + slot] = Int32(c)
                    attention[b * length + slot] = exp(sharpness * relevance(seen, candidate))
                }
            }
            for f in 0..<contextCount { context[f][r] = Int32(1 + random.nextInt(below: vocabularies[f])) }
            for f in 0..<config.denseFields { dense[f][r] = Float(random.nextStandardNormal()) }
            for f in 0..<config.sharedFields {
                shared[f][r] = Float(random.nextStandardNormal())
                sharedValues[f] = Double(shared[f][r])
            }

            let row = offset + r
            for t in 0..<tasks {
                terms.shared[t][row] = sharedPart(task: t, values: sharedValues)

                let recent = t % behaviours
                var weighted = 0.0, weights = 0.0
                for slot in (length - Int(sequenceLengths[recent][r]))..<length {
                    let w = recencyWeights[length - 1 - slot] * attention[recent * length + slot]
                    weighted += w * itemValues[(Int(sequenceItems[recent][r * length + slot]) * tasks + t) * 2]
                    weights += w
                }
                terms.recency[t][row] = weighted / weights

                let scanned = (t + 1) % behaviours
                var inSubset = 0.0, subsetWeights = 0.0
                for slot in (length - Int(sequenceLengths[scanned][r]))..<length {
                    let c = Int(sequenceCategories[scanned][r * length + slot])
                    if subsetMembership[t * (categories + 1) + c] {
                        let w = attention[scanned * length + slot]
                        inSubset += w * itemValues[(Int(sequenceItems[scanned][r * length + slot]) * tasks + t) * 2 + 1]
                        subsetWeights += w
                    }
                }
                terms.subset[t][row] = subsetWeights > 0 ? inSubset / subsetWeights : 0

                var fields = 0.0
                for f in ownedContext[t] { fields += contextEffects[f][Int(context[f][r])] }
                for f in ownedDense[t] { fields += Double(dense[f][r]) }
                terms.fields[t][row] = fields
                terms.noise[t][row] = random.nextStandardNormal()
            }
        }
        return SyntheticFeatures(
            users: userColumn, candidates: candidateColumn, candidateCategories: candidateCategoryColumn,
            context: context, dense: dense, shared: shared, sequenceItems: sequenceItems,
            sequenceCategories: sequenceCategories, sequenceLengths: sequenceLengths)
    }
}
