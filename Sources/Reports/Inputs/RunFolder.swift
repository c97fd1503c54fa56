import Foundation
import Training

/// What a report reads from a run folder: `run.json`, `metrics.jsonl`, `steps.jsonl`, the best
/// checkpoint's `checkpoint.json`, and when present `diagnostics.jsonl` and `explain.json`
/// (a routing explanation written by `dtrn eval --explain-out`).
public struct RunFolder: Sendable {
    /// The folder as given.
    public var path: String
    /// The folder's name, which labels the run.
    public var name: String
    /// One record per epoch.
    public var epochs: [EpochRecord]
    /// The loss every few steps (empty for runs trained before steps were recorded).
    public var steps: [StepRecord]
    /// The gradient-conflict records, when the run was trained with diagnostics.
    public var diagnostics: [ConflictRecord]?
    /// The best checkpoint's folder and state.
    public var bestCheckpoint: URL
    public var checkpoint: Checkpoint
    /// The routing explanation saved in the folder, if any.
    public var explanation: RoutingExplanation?

    /// The file of a saved routing explanation.
    public static let explanationFile = "explain.json"

    /// Reads the run folder `path`.
    public init(_ path: String) throws {
        let run = RunDirectory(URL(fileURLWithPath: path))
        guard try run.index() != nil else {
            throw ReportError.unreadable(path, reason: "not a run folder (no run.json); give folders written by 'dtrn train --out'")
        }
        self.path = path
        name = run.url.standardizedFileURL.lastPathComponent
        epochs = try run.epochRecords()
        guard !epochs.isEmpty else { throw ReportError.unreadable(path, reason: "metrics.jsonl holds no epoch") }
        steps = try run.stepRecords()
        bestCheckpoint = try RunDirectory.resolveCheckpoint(path)
        checkpoint = try Checkpoint.read(bestCheckpoint)
        let diagnosticsFile = run.url.appendingPathComponent("diagnostics.jsonl")
        diagnostics = FileManager.default.fileExists(atPath: diagnosticsFile.path) ? try ConflictRecord.read(diagnosticsFile) : nil
        let explanationFile = run.url.appendingPathComponent(Self.explanationFile)
        if let data = FileManager.default.contents(atPath: explanationFile.path) {
            do {
                explanation = try JSONDecoder().decode(RoutingExplanation.self, from: data)
            } catch {
                throw ReportError.unreadable(explanationFile.path, reason: "not a routing explanation: \(error)")
            }
        }
    }

    /// The run's model as the zoo names it, with DTRN's backbone.
    public var modelName: String {
        checkpoint.model.model == "dtrn" ? "dtrn-\(checkpoint.model.backbone)" : checkpoint.model.model
    }
}
