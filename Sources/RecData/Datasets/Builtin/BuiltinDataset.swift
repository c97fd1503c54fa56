import Foundation

/// A dataset usable by name: its schema and how its files are found and divided into splits.
public struct BuiltinDataset: Sendable {
    /// The name on the command line (`census-income`, `ali-ccp`, `taobao`).
    public let name: String
    /// One line on what it is.
    public let summary: String
    /// The schema as YAML text.
    public let schemaYAML: String
    /// The folder under the shared data root holding the default copy.
    public let defaultFolder: String
    private let locate: @Sendable (String) throws -> [IngestInput]

    /// The datasets known by name.
    public static let all: [BuiltinDataset] = [censusIncome, aliCCP, taobao]

    /// The built-in dataset called `name`.
    public static func named(_ name: String) throws -> BuiltinDataset {
        guard let dataset = all.first(where: { $0.name == name }) else {
            throw DataError.invalidRequest(
                "unknown dataset '\(name)' (built-in: \(all.map(\.name).joined(separator: ", ")))")
        }
        return dataset
    }

    /// The parsed schema.
    public func schema() throws -> DataSchema {
        try DataSchema.parse(schemaYAML, source: "built-in schema '\(name)'")
    }

    /// The input files at `path` (a folder or, for event logs, a file), or in the default folder under
    /// `dataRoot` when `path` is nil.
    public func inputs(at path: String? = nil, dataRoot: String = "../shared/data") throws -> [IngestInput] {
        try locate(path ?? dataRoot + "/" + defaultFolder)
    }

    /// Opens the dataset's store under `cacheDirectory`, ingesting it first when the store is missing or
    /// its schema or files changed.
    public func load(
        schema: DataSchema? = nil, input: String? = nil, dataRoot: String = "../shared/data",
        cacheDirectory: String = "data-cache", options: IngestOptions = IngestOptions()
    ) throws -> (dataset: EncodedDataset, report: IngestReport) {
        try DatasetStore.openOrIngest(
            schema: try schema ?? self.schema(), inputs: try inputs(at: input, dataRoot: dataRoot),
            directory: cacheDirectory + "/" + name, options: options)
    }

    // MARK: - The datasets

    /// UCI Census-Income (KDD): train on the training file, the test file halved into validation and test.
    public static let censusIncome = BuiltinDataset(
        name: "census-income", summary: "UCI Census-Income (KDD): income > 50K and never married",
        schemaYAML: censusIncomeSchemaYAML, defaultFolder: "census-income"
    ) { path in
        let folder = try requireFolder(path, dataset: "census-income", holding: ["census-income.data.csv", "census-income.test.csv"])
        return [
            IngestInput(path: folder + "/census-income.data.csv", assignment: .whole(.train)),
            IngestInput(path: folder + "/census-income.test.csv", assignment: .divided(SplitSpec(validation: 0.5, test: 0.5, seed: 2023))),
        ]
    }

    /// Ali-CCP in the torch-rechub layout: train, validation and test files (full or `_sample`).
    public static let aliCCP = BuiltinDataset(
        name: "ali-ccp", summary: "Alibaba click and conversion prediction (torch-rechub files): click, purchase",
        schemaYAML: aliCCPSchemaYAML, defaultFolder: "ali-ccp"
    ) { path in
        let full = ["ali_ccp_train.csv", "ali_ccp_val.csv", "ali_ccp_test.csv"]
        let sample = ["ali_ccp_train_sample.csv", "ali_ccp_val_sample.csv", "ali_ccp_test_sample.csv"]
        let names = full.allSatisfy { FileManager.default.fileExists(atPath: path + "/" + $0) } ? full : sample
        let folder = try requireFolder(path, dataset: "ali-ccp", holding: names)
        return zip(names, SplitName.allCases).map { IngestInput(path: folder + "/" + $0, assignment: .whole($1)) }
    }

    /// Taobao UserBehavior: one event log (the full public file or a slice of it), split by time.
    public static let taobao = BuiltinDataset(
        name: "taobao", summary: "Taobao UserBehavior event log: later cart, fav, buy; pv/cart/fav/buy sequences",
        schemaYAML: taobaoSchemaYAML, defaultFolder: "taobao-userbehavior"
    ) { path in
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw DataError.io(path: path, reason: "no such file or folder")
        }
        guard isFolder.boolValue else { return [IngestInput(path: path, assignment: .whole(.train))] }
        let candidates = ["UserBehavior.csv", "UserBehavior-sample.csv"]
        guard let name = candidates.first(where: { FileManager.default.fileExists(atPath: path + "/" + $0) }) else {
            throw DataError.io(path: path, reason: "taobao expects UserBehavior.csv or UserBehavior-sample.csv in this folder")
        }
        return [IngestInput(path: path + "/" + name, assignment: .whole(.train))]
    }

    private static func requireFolder(_ path: String, dataset: String, holding names: [String]) throws -> String {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else {
            throw DataError.io(path: path, reason: "\(dataset) expects a folder holding \(names.joined(separator: ", "))")
        }
        for name in names where !FileManager.default.fileExists(atPath: path + "/" + name) {
            throw DataError.io(path: path + "/" + name, reason: "missing (\(dataset) expects \(names.joined(separator: ", ")))")
        }
        return path
    }
}
