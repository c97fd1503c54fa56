import Foundation
import Models
import NN
import RecData

/// A training run's saved state at the end of one epoch: a folder holding the model's
/// parameters and buffers (`model.tensors`), the optimiser's state (`optimizer.tensors`),
/// and `checkpoint.json` with everything needed to rebuild the model and encode raw rows
/// exactly as in training: the configs, the dataset schema and fitted encoder, and the
/// run's progress.
///
/// A checkpoint folder is written under a temporary name and renamed into place, so a
/// folder that exists is complete.
public struct Checkpoint: Codable, Sendable {
    /// The format version this build writes and reads. Version 2 records whether the encoder trims
    /// values and names DTRN-towers' parameters as each task's single-task DNN; a checkpoint of
    /// another version is refused with a ``FormatVersionError``. The version also covers the
    /// folder's tensor files: which parameters and optimiser slots they hold, under which names.
    public static let formatVersion = 2

    /// The format version.
    public var version = Checkpoint.formatVersion
    /// A unique id of this checkpoint.
    public var id: String
    /// When it was written (ISO 8601).
    public var createdAt: String
    /// The model built.
    public var model: ModelConfig
    /// The training settings.
    public var training: TrainingConfig
    /// The data the model was trained on (a built-in name, a store folder, or `synthetic`).
    public var dataSource: String
    /// The encoded dataset's schema.
    public var schema: DatasetSchema
    /// The fitted raw-row encoder (nil for data born encoded, such as the synthetic data).
    public var encoder: FeatureEncoder?
    /// The synthetic generator's settings, when trained on synthetic data.
    public var synthetic: SyntheticConfig?
    /// The progress of the run.
    public var progress: RunProgress

    /// Where a run stands after an epoch.
    public struct RunProgress: Codable, Sendable, Equatable {
        /// Epochs completed.
        public var epoch: Int
        /// Optimiser steps taken.
        public var step: Int
        /// The best monitored validation value so far and its epoch.
        public var bestValue: Double?
        public var bestEpoch: Int?
        /// Epochs since the best one.
        public var epochsWithoutImprovement: Int
    }

    static let stateFile = "checkpoint.json"
    static let modelFile = "model.tensors"
    static let optimizerFile = "optimizer.tensors"

    /// Writes this checkpoint with the model's and optimiser's tensors as folder `url`,
    /// replacing an older folder of that name only once the new one is complete. The
    /// temporary folders of earlier writes of `url` that were killed midway are removed first.
    public func write(model: MultiTaskModel, auxiliary: Module, optimizer: Optimizer, to url: URL) throws {
        let fm = FileManager.default
        let parent = url.deletingLastPathComponent()
        let prefix = ".\(url.lastPathComponent).tmp-"
        for stale in (try? fm.contentsOfDirectory(atPath: parent.path)) ?? [] where stale.hasPrefix(prefix) {
            try? fm.removeItem(at: parent.appendingPathComponent(stale))
        }
        let temporary = parent.appendingPathComponent(prefix + "\(ProcessInfo.processInfo.processIdentifier)")
        try fm.createDirectory(at: temporary, withIntermediateDirectories: true)
        try TrainedState(model: model, auxiliary: auxiliary).saveParameters(to: temporary.appendingPathComponent(Self.modelFile))
        try optimizer.saveState(to: temporary.appendingPathComponent(Self.optimizerFile))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: temporary.appendingPathComponent(Self.stateFile), options: .atomic)
        if fm.fileExists(atPath: url.path) { try fm.removeItem(at: url) }
        try fm.moveItem(at: temporary, to: url)
    }

    /// Reads `checkpoint.json` of the checkpoint folder `url`.
    public static func read(_ url: URL) throws -> Checkpoint {
        let file = url.appendingPathComponent(stateFile)
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw TrainingError.checkpoint(path: url.path, reason: "no checkpoint here (missing \(stateFile))")
        }
        try FormatVersion.check(data, key: "version", readable: formatVersion...formatVersion, file: file.path,
                                remedy: "train the model again with this build (or use the dtrn that wrote it)")
        do {
            return try JSONDecoder().decode(Checkpoint.self, from: data)
        } catch {
            throw TrainingError.checkpoint(path: file.path, reason: "unreadable checkpoint: \(error)")
        }
    }

    /// Rebuilds the model and loads its saved parameters and buffers.
    public func loadModel(from url: URL) throws -> MultiTaskModel {
        let model = try ModelZoo.make(self.model, layout: FeatureLayout(schema), seed: training.seed)
        let auxiliary = TaskWeighting(tasks: schema.tasks.count, config: training)
        try TrainedState(model: model, auxiliary: auxiliary).loadParameters(from: url.appendingPathComponent(Self.modelFile))
        model.eval()
        return model
    }
}

/// The model and the trainer's own learned parameters, saved and restored together.
final class TrainedState: Module {
    let model: MultiTaskModel
    let auxiliary: Module

    init(model: MultiTaskModel, auxiliary: Module) {
        self.model = model
        self.auxiliary = auxiliary
    }
}

/// A run folder: one checkpoint folder per epoch (`epoch-001`, …) and `run.json` naming the
/// latest and the best.
public struct RunDirectory: Sendable {
    /// The folder.
    public let url: URL

    /// Which checkpoints are the latest and the best.
    public struct Index: Codable, Sendable, Equatable {
        /// The format version this build writes and reads; it covers `metrics.jsonl` too, which
        /// is only read with its `run.json`.
        public static let currentFormatVersion = 1

        /// The format version.
        public var formatVersion = Index.currentFormatVersion
        /// The folder name of the latest checkpoint.
        public var latest: String
        /// The folder name of the best checkpoint.
        public var best: String
    }

    /// A run folder at `url`.
    public init(_ url: URL) {
        self.url = url
    }

    /// The folder of epoch `epoch`'s checkpoint.
    public func checkpoint(epoch: Int) -> URL {
        url.appendingPathComponent(String(format: "epoch-%03d", epoch))
    }

    /// The gradient-conflict diagnostics, one line per diagnosed step.
    public var diagnosticsFile: URL { url.appendingPathComponent("diagnostics.jsonl") }

    /// The per-epoch metrics file.
    public var metricsFile: URL { url.appendingPathComponent("metrics.jsonl") }

    /// The training loss every few steps (see ``StepRecord``).
    public var stepsFile: URL { url.appendingPathComponent("steps.jsonl") }

    /// The records of `metrics.jsonl`, one per epoch (none when it does not exist).
    public func epochRecords() throws -> [EpochRecord] { try Trainer.readRecords(metricsFile) }

    /// The records of `steps.jsonl` (none when it does not exist).
    public func stepRecords() throws -> [StepRecord] { try StepLossLog.read(stepsFile) }

    /// Reads `run.json`, if there is one.
    public func index() throws -> Index? {
        let file = url.appendingPathComponent("run.json")
        guard let data = FileManager.default.contents(atPath: file.path) else { return nil }
        let current = Index.currentFormatVersion
        try FormatVersion.check(data, key: "formatVersion", readable: current...current, file: file.path,
                                remedy: "train again into a new run folder")
        do {
            return try JSONDecoder().decode(Index.self, from: data)
        } catch {
            throw TrainingError.checkpoint(path: file.path, reason: "unreadable run index: \(error)")
        }
    }

    /// Writes `run.json` atomically.
    public func writeIndex(_ index: Index) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try replaceFile("run.json", with: try encoder.encode(index))
    }

    /// Writes `data` as the folder's file `name` atomically, through a temporary file of a fixed
    /// name (`.NAME.partial`) renamed into place: a reader sees the old file or the new one, and
    /// the temporary file of a write killed midway is overwritten and renamed by the next write
    /// rather than left behind.
    func replaceFile(_ name: String, with data: Data) throws {
        let file = url.appendingPathComponent(name)
        let temporary = url.appendingPathComponent(".\(name).partial")
        try data.write(to: temporary)
        guard rename(temporary.path, file.path) == 0 else {
            throw TrainingError.checkpoint(path: file.path, reason: "cannot rename \(temporary.lastPathComponent) into place (\(String(cString: strerror(errno))))")
        }
    }

    /// A checkpoint folder for a path that is either a checkpoint folder or a run folder
    /// (then its best checkpoint).
    public static func resolveCheckpoint(_ path: String) throws -> URL {
        let url = URL(fileURLWithPath: path)
        if FileManager.default.fileExists(atPath: url.appendingPathComponent(Checkpoint.stateFile).path) { return url }
        guard let index = try RunDirectory(url).index() else {
            throw TrainingError.checkpoint(path: path, reason: "neither a checkpoint folder (no \(Checkpoint.stateFile)) nor a run folder (no run.json)")
        }
        return url.appendingPathComponent(index.best)
    }
}
