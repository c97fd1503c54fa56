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
    /// Unit direction a_tm of task t's ridge m over the shared fields, at `(t * M + m) * D ..< … + D`.
    let ridgeDirections: [Double]
    /// Phase φ_tm of task t's ridge m, at `t * M + m`.
    let ridgePhases: [Double]
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

        (ridgeDirections, ridgePhases) = Self.ridges(config: config, random: &random)

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

    /// The tasks' ridge directions and phases: ridges m < M − round(c·M) are common to all tasks,
    /// the others are each task's own; directions are uniform on the unit sphere of ℝ^D, phases
    /// uniform in [0, 2π).
    private static func ridges(config: SyntheticConfig, random: inout RandomGenerator) -> ([Double], [Double]) {
        let (tasks, ridges, fields) = (config.tasks, config.ridges, config.sharedFields)
        func ridge() -> (direction: [Double], phase: Double) {
            while true {
                let v = (0..<fields).map { _ in random.nextStandardNormal() }
                let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
                if norm > 1e-6 { return (v.map { $0 / norm }, random.nextDouble() * 2 * Double.pi) }
            }
        }
        let common = (0..<ridges).map { _ in ridge() }
        let commonCount = ridges - Int((config.conflict * Double(ridges)).rounded())
        var directions: [Double] = [], phases: [Double] = []
        for _ in 0..<tasks {
            for m in 0..<ridges {
                let chosen = m < commonCount ? common[m] : ridge()
                directions += chosen.direction
                phases.append(chosen.phase)
            }
        }
        return (directions, phases)
    }

    /// H_t = Σ_m sin(ω·⟨a_tm, s⟩ + φ_tm) of the shared field values `s`.
    func sharedPart(task t: Int, values s: [Double]) -> Double {
        let (ridges, fields) = (config.ridges, config.sharedFields)
        var sum = 0.0
        for m in 0..<ridges {
            let base = (t * ridges + m) * fields
            var projection = 0.0
            for f in 0..<fields { projection += ridgeDirections[base + f] * s[f] }
            sum += sin(config.ridgeFrequency * projection + ridgePhases[t * ridges + m])
        }
        return sum
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
