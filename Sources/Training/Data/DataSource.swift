import Foundation
import RecData

/// Where training data comes from: the built-in synthetic generator, a built-in dataset by
/// name (ingested into the store cache on first use), or an existing store folder.
public struct DataSource: Sendable {
    /// `synthetic`, a built-in dataset's name, or a store folder.
    public var name: String
    /// The files of a built-in dataset, when not in their default place.
    public var input: String?
    /// The cache folder of built-in datasets' stores.
    public var cache: String
    /// Where the default copies of built-in datasets live.
    public var dataRoot: String
    /// The synthetic generator's settings.
    public var synthetic: SyntheticConfig

    /// A data source.
    public init(name: String = "synthetic", input: String? = nil, cache: String = "data-cache",
                dataRoot: String = "../shared/data", synthetic: SyntheticConfig = SyntheticConfig()) {
        self.name = name
        self.input = input
        self.cache = cache
        self.dataRoot = dataRoot
        self.synthetic = synthetic
    }

    /// Whether this is the synthetic data.
    public var isSynthetic: Bool { name == "synthetic" }

    /// The schema of the synthetic data these settings generate (from a tiny draw: the
    /// schema depends on the vocabularies, not on the row counts).
    public func syntheticSchema() throws -> DatasetSchema {
        var tiny = synthetic
        (tiny.trainRows, tiny.validationRows, tiny.testRows) = (8, 8, 8)
        return try SyntheticGenerator(config: tiny).generate().schema
    }

    /// Loaded data: the encoded dataset, and for synthetic data the reference AUCs of its test split.
    public struct Loaded: Sendable {
        public var dataset: EncodedDataset
        /// Per task: the oracle's and the learnable ceiling's test AUC (synthetic data only).
        public var reference: [SyntheticTaskStatistics]?

        /// The reference AUCs as lines to print beside a model's.
        public var referenceTable: String? {
            reference.map { tasks in
                func f(_ v: Double?) -> String { v.map { String(format: "%.4f", $0) } ?? "-" }
                return (["reference: oracle AUC / learnable ceiling AUC on the test split"]
                    + tasks.map { "  \($0.task): \(f($0.oracleAUC)) / \(f($0.ceilingAUC))" }).joined(separator: "\n")
            }
        }
    }

    /// Loads the data.
    public func load(reporter: ProgressReporter) throws -> Loaded {
        if isSynthetic {
            let start = Date()
            let data = try SyntheticGenerator(config: synthetic).generate()
            reporter.note(String(format: "generated synthetic data (conflict %.2f, seed %d) in %.1f s",
                                 synthetic.conflict, synthetic.seed, Date().timeIntervalSince(start)))
            return Loaded(dataset: try data.encoded(), reference: data.test.taskStatistics())
        }
        if let builtin = BuiltinDataset.all.first(where: { $0.name == name }) {
            let (dataset, report) = try builtin.load(input: input, dataRoot: dataRoot, cacheDirectory: cache)
            let rows = report.rowCounts.values.reduce(0, +)
            reporter.note(report.reused ? "\(name): reusing the store in \(cache)/\(name) (\(rows) rows)"
                : String(format: "%@: ingested %d rows in %.1f s", name, rows, report.seconds))
            return Loaded(dataset: dataset, reference: nil)
        }
        guard FileManager.default.fileExists(atPath: name) else {
            let known = ["synthetic"] + BuiltinDataset.all.map(\.name)
            throw TrainingError.data("unknown data '\(name)': not a built-in dataset (\(known.joined(separator: ", "))) nor a store folder")
        }
        return Loaded(dataset: try DatasetStore.open(name), reference: nil)
    }
}
