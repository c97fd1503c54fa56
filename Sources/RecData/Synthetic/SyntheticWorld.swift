import Randomness
import Foundation

/// The latent world behind the synthetic rows: items, users and the tasks' true readouts, all
/// drawn once from the seed (see `SyntheticGenerator` for the formulas).
struct SyntheticWorld {
    let config: SyntheticConfig
    /// Latent width k.
    let k: Int
    /// Category of item i at index i (index 0: padding, category 0).
    let itemCategory: [Int32]
    /// Item ids grouped by category: the items of category c are
    /// `categoryItems[categoryOffsets[c - 1] ..< categoryOffsets[c]]`.
    let categoryItems: [Int32]
    let categoryOffsets: [Int]
    /// Latent q_i of item i at `i * k ..< (i + 1) * k` (row 0: zeros).
    let itemLatents: [Double]
    /// Cumulative category preference of user u for behaviour b over categories 1…C at
    /// `((u - 1) * B + b) * C ..< … + C`.
    let preferenceCDF: [Double]
    /// Segment g(u) ∈ 0..<G of user u at index u - 1.
    let userSegment: [Int]
    /// Task t's interaction A_t[g, c] at `(t * G + g) * (C + 1) + c` (c = 0 unused).
    let segmentInteractions: [Double]
    /// Task t's values of item i, ⟨w_t, q_i⟩ (recency reading) and ⟨w'_t, q_i⟩ (subset reading), at
    /// `(i * T + t) * 2` and `… + 1`.
    let itemValues: [Double]
    /// Whether category c belongs to task t's subset S_t, at `t * (C + 1) + c`.
    let subsetMembership: [Bool]
    /// Effect η_f(v) of value v of categorical context field f (index 0 unused).
    let contextEffects: [[Double]]
    /// The task that reads context field f (categorical fields first, then dense), or nil.
    let fieldOwners: [Int?]
    /// γ^a for ages a = 0…L-1.
    let recencyWeights: [Double]

    init(config: SyntheticConfig, random: inout RandomGenerator) {
        self.config = config
        let (k, items, categories) = (config.latentDimension, config.items, config.categories)
        let (users, behaviours, tasks) = (config.users, config.behaviours, config.tasks)
        self.k = k
        let latentScale = (1 / Double(k)).squareRoot()

        var itemCategory = [Int32](repeating: 0, count: items + 1)
        for i in 1...items {
            itemCategory[i] = Int32(i <= categories ? i : 1 + random.nextInt(below: categories))
        }
        self.itemCategory = itemCategory
        var offsets = [Int](repeating: 0, count: categories + 1)
        for i in 1...items { offsets[Int(itemCategory[i])] += 1 }
        for c in 1...categories { offsets[c] += offsets[c - 1] }
        var fill = Array(offsets.dropLast())
        var grouped = [Int32](repeating: 0, count: items)
        for i in 1...items {
            let c = Int(itemCategory[i]) - 1
            grouped[fill[c]] = Int32(i)
            fill[c] += 1
        }
        categoryItems = grouped
        categoryOffsets = offsets

        let centres = (0..<(categories * k)).map { _ in random.nextStandardNormal() * latentScale }
        var itemLatents = [Double](repeating: 0, count: (items + 1) * k)
        for i in 1...items {
            let c = Int(itemCategory[i]) - 1
            for j in 0..<k {
                itemLatents[i * k + j] = (centres[c * k + j] + random.nextStandardNormal() * latentScale) / 2.squareRoot()
            }
        }
        self.itemLatents = itemLatents

        let segments = config.userSegments
        let userSegment = (0..<users).map { _ in random.nextInt(below: segments) }
        self.userSegment = userSegment
        let segmentPreferences = (0..<(segments * behaviours * categories)).map { _ in random.nextStandardNormal() }
        var cdf = [Double](repeating: 0, count: users * behaviours * categories)
        for u in 0..<users {
            for b in 0..<behaviours {
                let row = u * behaviours + b, shared = (userSegment[u] * behaviours + b) * categories
                let scores = (0..<categories).map { c in
                    exp(config.preferenceConcentration * (segmentPreferences[shared + c] + random.nextStandardNormal()) / 2.squareRoot())
                }
                let total = scores.reduce(0, +)
                var running = 0.0
                for c in 0..<categories {
                    running += scores[c] / total
                    cdf[row * categories + c] = c == categories - 1 ? 1 : running
                }
            }
        }
        preferenceCDF = cdf

        let tables = Self.interactionTables(
            segments: segments, categories: categories, tasks: tasks, conflict: config.conflict, random: &random)
        var interactions = [Double](repeating: 0, count: tasks * segments * (categories + 1))
        for t in 0..<tasks {
            for g in 0..<segments {
                for c in 0..<categories {
                    interactions[(t * segments + g) * (categories + 1) + c + 1] = tables[t][g] + tables[t][segments + c]
                }
            }
        }
        segmentInteractions = interactions

        let directions = (0..<(tasks * 2 * k)).map { _ in random.nextStandardNormal() * latentScale }
        var values = [Double](repeating: 0, count: (items + 1) * tasks * 2)
        for i in 1...items {
            for reading in 0..<(tasks * 2) {
                var sum = 0.0
                let centre = (Int(itemCategory[i]) - 1) * k
                for j in 0..<k { sum += directions[reading * k + j] * centres[centre + j] }
                values[i * tasks * 2 + reading] = sum
            }
        }
        itemValues = values

        let subsetSize = Int((config.categorySubsetFraction * Double(categories)).rounded(.up))
        var membership = [Bool](repeating: false, count: tasks * (categories + 1))
        for t in 0..<tasks {
            var order = Array(1...categories)
            random.shuffle(&order)
            for c in order.prefix(subsetSize) { membership[t * (categories + 1) + c] = true }
        }
        subsetMembership = membership

        contextEffects = config.contextVocabularies.map { vocabulary in
            [0] + (0..<vocabulary).map { _ in random.nextStandardNormal() }
        }
        let fieldCount = config.contextVocabularies.count + config.denseFields
        fieldOwners = (0..<fieldCount).map(config.contextFieldOwner)
        recencyWeights = (0..<config.sequenceLength).map { pow(config.recencyDecay, Double($0)) }
    }

    /// Per task, the segment effects x_t (G values) followed by the category effects y_t (C values):
    /// (x_t; y_t) = cos θ e_0 + sin θ e_{t+1}, θ = c·π/2, where e_0…e_T are orthonormal (Gram–Schmidt
    /// of Gaussian vectors).
    private static func interactionTables(
        segments: Int, categories: Int, tasks: Int, conflict: Double, random: inout RandomGenerator
    ) -> [[Double]] {
        var basis: [[Double]] = []
        while basis.count <= tasks {
            var m = (0..<(segments + categories)).map { _ in random.nextStandardNormal() }
            for e in basis {
                let projection = zip(m, e).reduce(0) { $0 + $1.0 * $1.1 }
                for i in m.indices { m[i] -= projection * e[i] }
            }
            let norm = m.reduce(0) { $0 + $1 * $1 }.squareRoot()
            guard norm > 1e-6 else { continue }
            basis.append(m.map { $0 / norm })
        }
        let angle = conflict * Double.pi / 2
        return (0..<tasks).map { t in
            zip(basis[0], basis[t + 1]).map { cos(angle) * $0 + sin(angle) * $1 }
        }
    }

    /// A category of 1…C drawn from user u's preference for behaviour b.
    func preferredCategory(user u: Int, behaviour b: Int, random: inout RandomGenerator) -> Int {
        let categories = config.categories
        let base = ((u - 1) * config.behaviours + b) * categories
        let draw = random.nextDouble()
        var c = 0
        while c < categories - 1 && preferenceCDF[base + c] <= draw { c += 1 }
        return c + 1
    }

    /// An item drawn uniformly from category c.
    func item(inCategory c: Int, random: inout RandomGenerator) -> Int32 {
        let start = categoryOffsets[c - 1]
        return categoryItems[start + random.nextInt(below: categoryOffsets[c] - start)]
    }

    /// The relevance q_a · q_b of two items.
    func relevance(_ a: Int32, _ b: Int32) -> Double {
        let (i, j) = (Int(a) * k, Int(b) * k)
        var sum = 0.0
        for d in 0..<k { sum += itemLatents[i + d] * itemLatents[j + d] }
        return sum
    }
}
