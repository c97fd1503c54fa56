import Foundation

/// The results of a conflict sweep (`dtrn bench conflict-sweep`): one entry per trained
/// (conflict level, variant, seed).
public struct SweepResults: Codable, Sendable, Equatable {
    /// One trained model.
    public struct Run: Codable, Sendable, Equatable {
        /// The synthetic data's conflict level.
        public var conflict: Double
        /// The model variant (e.g. `mmoe`, `dtrn-ple`, `shared-bottom+pcgrad`).
        public var variant: String
        public var seed: Int
        public var tasks: [String]
        /// Test AUC per task.
        public var testAUC: [Double]
        /// The measured gradient conflict rate on the shared parameters, when diagnosed.
        public var conflictRate: Double?

        /// A sweep entry.
        public init(conflict: Double, variant: String, seed: Int, tasks: [String], testAUC: [Double], conflictRate: Double?) {
            (self.conflict, self.variant, self.seed, self.tasks, self.testAUC, self.conflictRate)
                = (conflict, variant, seed, tasks, testAUC, conflictRate)
        }
    }

    public var runs: [Run]

    /// A sweep of `runs`.
    public init(runs: [Run]) { self.runs = runs }

    /// The sweep in `path`: a JSON file, or a folder whose `*.json` files (sorted by name) are
    /// sweeps whose runs are joined.
    public static func read(_ path: String) throws -> SweepResults {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ReportError.unreadable(path, reason: "no such file or folder")
        }
        let files = isDirectory.boolValue
            ? try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".json") }.sorted()
                .map { path + "/" + $0 }
            : [path]
        guard !files.isEmpty else { throw ReportError.unreadable(path, reason: "holds no .json sweep file") }
        let runs = try files.flatMap { file -> [Run] in
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ReportError.unreadable(file, reason: "cannot read the file")
            }
            do {
                return try JSONDecoder().decode(SweepResults.self, from: data).runs
            } catch {
                throw ReportError.unreadable(file, reason: "not a sweep ({\"runs\": [{conflict, variant, seed, tasks, testAUC, conflictRate}]}): \(error)")
            }
        }
        for run in runs where run.tasks.count != run.testAUC.count {
            throw ReportError.unreadable(path, reason: "\(run.variant) at conflict \(run.conflict), seed \(run.seed): \(run.tasks.count) tasks but \(run.testAUC.count) AUCs")
        }
        guard !runs.isEmpty else { throw ReportError.empty("\(path): the sweep has no runs") }
        return SweepResults(runs: runs)
    }
}
