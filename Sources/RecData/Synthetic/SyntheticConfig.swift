import Foundation

/// Every knob of the built-in synthetic dataset; the defaults are the project's default data.
///
/// `SyntheticGenerator` documents what each knob does in the generative process. Decoding
/// (JSON or YAML) accepts any subset of the keys; missing keys keep their defaults.
public struct SyntheticConfig: Codable, Equatable, Sendable {
    /// Rows of the training split.
    public var trainRows = 200_000
    /// Rows of the validation split.
    public var validationRows = 50_000
    /// Rows of the test split.
    public var testRows = 50_000
    /// Number of users (ids 1…users).
    public var users = 2_000
    /// Number of items (ids 1…items), shared by the candidate and every behaviour sequence.
    public var items = 1_000
    /// Number of item categories (ids 1…categories).
    public var categories = 20
    /// Number of behaviour types B, one sequence column each.
    public var behaviours = 3
    /// Number of tasks T, one binary label each.
    public var tasks = 3
    /// Slots L of every behaviour sequence.
    public var sequenceLength = 20
    /// Fewest items a behaviour sequence holds (lengths are uniform in this…L).
    public var minimumSequenceLength = 2
    /// Width k of the item latent vectors.
    public var latentDimension = 4
    /// Number of user segments G; users of a segment share their category preferences.
    public var userSegments = 8
    /// Vocabulary size of each categorical context field.
    public var contextVocabularies = [8, 32, 128, 512]
    /// Number of dense (numeric) context fields.
    public var denseFields = 4
    /// Number of shared fields D: standard normal numeric inputs of every task's shared part.
    public var sharedFields = 12
    /// Number of sine ridges M in every task's shared part.
    public var ridges = 16
    /// Frequency ω of the ridges.
    public var ridgeFrequency = 2.0
    /// Task conflict c in [0, 1]: the share of each task's ridges that are its own. 0, the tasks
    /// need the same function of the shared fields; 1, unrelated ones.
    public var conflict = 0.5
    /// Target positive rate per task; `nil` means `defaultPositiveRates(tasks:)`.
    public var positiveRates: [Double]? = nil
    /// Standard deviation of every task's observable logit (the signal strength).
    public var signalStd = 2.0
    /// Standard deviation of the hidden per-row logit noise that no model can observe.
    public var labelNoise = 0.5
    /// Share of the observable logit's variance carried by the conflict-controlled shared part.
    public var sharedWeight = 0.5
    /// Share of the observable logit's variance carried by the task's behaviour-sequence readings.
    public var sequenceWeight = 0.3
    /// Share of the observable logit's variance carried by the task's own context fields.
    public var fieldWeight = 0.2
    /// Per-step decay of the recency-weighted sequence reading (newest item weight 1).
    public var recencyDecay = 0.6
    /// How sharply the sequence readings attend to the items most relevant to the candidate
    /// (0: relevance is ignored).
    public var relevanceSharpness = 1.0
    /// Fraction of the categories in each task's category subset.
    public var categorySubsetFraction = 0.3
    /// How peaked a user's category preference per behaviour is (0: uniform).
    public var preferenceConcentration = 1.5
    /// Probability that the candidate item's category follows the user's preference (else uniform).
    public var candidatePreference = 0.5
    /// Seed of every random draw; the same seed gives bit-identical data.
    public var seed: UInt64 = 1

    /// The default configuration.
    public init() {}

    /// The positive rate targets in effect: `positiveRates` or the default for `tasks`.
    public var resolvedPositiveRates: [Double] {
        positiveRates ?? Self.defaultPositiveRates(tasks: tasks)
    }

    /// Default positive rates: 0.3, 0.15, 0.075, … halving per task, except that the last task of
    /// two or more is the sparse one at 0.04.
    public static func defaultPositiveRates(tasks: Int) -> [Double] {
        (0..<tasks).map { t in
            tasks >= 2 && t == tasks - 1 ? 0.04 : 0.3 * pow(0.5, Double(t))
        }
    }

    /// Throws a `SyntheticConfigError` naming the first setting out of its range.
    public func validate() throws {
        func require(_ condition: Bool, _ message: @autoclosure () -> String) throws {
            if !condition { throw SyntheticConfigError(message: message()) }
        }
        try require(trainRows >= 1, "trainRows must be at least 1, got \(trainRows)")
        try require(validationRows >= 0 && testRows >= 0, "validationRows and testRows must not be negative")
        try require(users >= 1, "users must be at least 1, got \(users)")
        try require(categories >= 1, "categories must be at least 1, got \(categories)")
        try require(items >= categories, "items (\(items)) must be at least categories (\(categories))")
        try require(behaviours >= 1, "behaviours must be at least 1, got \(behaviours)")
        try require(tasks >= 1, "tasks must be at least 1, got \(tasks)")
        try require(sequenceLength >= 1, "sequenceLength must be at least 1, got \(sequenceLength)")
        try require(
            (1...sequenceLength).contains(minimumSequenceLength),
            "minimumSequenceLength must be in 1…\(sequenceLength), got \(minimumSequenceLength)")
        try require(latentDimension >= 1, "latentDimension must be at least 1, got \(latentDimension)")
        try require(userSegments >= 1, "userSegments must be at least 1, got \(userSegments)")
        try require(sharedFields >= 2, "sharedFields must be at least 2, got \(sharedFields)")
        try require(ridges >= 1, "ridges must be at least 1, got \(ridges)")
        try require(ridgeFrequency > 0, "ridgeFrequency must be positive, got \(ridgeFrequency)")
        try require(contextVocabularies.allSatisfy { $0 >= 1 }, "every context vocabulary must be at least 1")
        try require(denseFields >= 0, "denseFields must not be negative, got \(denseFields)")
        try require((0...1).contains(conflict), "conflict must be in [0, 1], got \(conflict)")
        let rates = resolvedPositiveRates
        try require(rates.count == tasks, "positiveRates needs one rate per task (\(tasks)), got \(rates.count)")
        try require(rates.allSatisfy { $0 > 0 && $0 < 1 }, "every positive rate must be in (0, 1), got \(rates)")
        try require(signalStd > 0, "signalStd must be positive, got \(signalStd)")
        try require(labelNoise >= 0, "labelNoise must not be negative, got \(labelNoise)")
        try require(
            sharedWeight >= 0 && sequenceWeight >= 0 && fieldWeight >= 0
                && sharedWeight + sequenceWeight + fieldWeight > 0,
            "sharedWeight, sequenceWeight and fieldWeight must be non-negative with a positive sum")
        try require(recencyDecay > 0 && recencyDecay <= 1, "recencyDecay must be in (0, 1], got \(recencyDecay)")
        try require(relevanceSharpness >= 0, "relevanceSharpness must not be negative, got \(relevanceSharpness)")
        try require(
            categorySubsetFraction > 0 && categorySubsetFraction <= 1,
            "categorySubsetFraction must be in (0, 1], got \(categorySubsetFraction)")
        try require(preferenceConcentration >= 0, "preferenceConcentration must not be negative")
        try require((0...1).contains(candidatePreference), "candidatePreference must be in [0, 1]")
    }
}

extension SyntheticConfig {
    /// Decodes the keys present and keeps the defaults for the others.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func value<T: Decodable>(_ key: CodingKeys, _ fallback: T) throws -> T {
            try container.decodeIfPresent(T.self, forKey: key) ?? fallback
        }
        self.init()
        trainRows = try value(.trainRows, trainRows)
        validationRows = try value(.validationRows, validationRows)
        testRows = try value(.testRows, testRows)
        users = try value(.users, users)
        items = try value(.items, items)
        categories = try value(.categories, categories)
        behaviours = try value(.behaviours, behaviours)
        tasks = try value(.tasks, tasks)
        sequenceLength = try value(.sequenceLength, sequenceLength)
        minimumSequenceLength = try value(.minimumSequenceLength, minimumSequenceLength)
        latentDimension = try value(.latentDimension, latentDimension)
        userSegments = try value(.userSegments, userSegments)
        contextVocabularies = try value(.contextVocabularies, contextVocabularies)
        denseFields = try value(.denseFields, denseFields)
        sharedFields = try value(.sharedFields, sharedFields)
        ridges = try value(.ridges, ridges)
        ridgeFrequency = try value(.ridgeFrequency, ridgeFrequency)
        conflict = try value(.conflict, conflict)
        positiveRates = try container.decodeIfPresent([Double].self, forKey: .positiveRates)
        signalStd = try value(.signalStd, signalStd)
        labelNoise = try value(.labelNoise, labelNoise)
        sharedWeight = try value(.sharedWeight, sharedWeight)
        sequenceWeight = try value(.sequenceWeight, sequenceWeight)
        fieldWeight = try value(.fieldWeight, fieldWeight)
        recencyDecay = try value(.recencyDecay, recencyDecay)
        relevanceSharpness = try value(.relevanceSharpness, relevanceSharpness)
        categorySubsetFraction = try value(.categorySubsetFraction, categorySubsetFraction)
        preferenceConcentration = try value(.preferenceConcentration, preferenceConcentration)
        candidatePreference = try value(.candidatePreference, candidatePreference)
        seed = try value(.seed, seed)
    }
}

extension SyntheticConfig {
    /// The task that reads context field `field` (categorical fields first, then dense), or `nil`
    /// for a pure-noise field: field f belongs to task f mod (T + 1) when that is below T.
    func contextFieldOwner(_ field: Int) -> Int? {
        let owner = field % (tasks + 1)
        return owner < tasks ? owner : nil
    }

    /// The context fields' names: `context_0…` (categorical), then `dense_0…`.
    public var contextFieldNames: [String] {
        contextVocabularies.indices.map { "context_\($0)" } + (0..<denseFields).map { "dense_\($0)" }
    }

    /// The names of the context fields task `task` reads (its field term `F_t`).
    public func contextFields(readBy task: Int) -> [String] {
        contextFieldNames.enumerated().filter { contextFieldOwner($0.offset) == task }.map(\.element)
    }
}

/// A `SyntheticConfig` setting out of its range.
public struct SyntheticConfigError: Error, CustomStringConvertible, Equatable {
    /// What is wrong, naming the setting.
    public let message: String

    /// A readable account of the error.
    public var description: String { "invalid synthetic data configuration: \(message)" }
}
