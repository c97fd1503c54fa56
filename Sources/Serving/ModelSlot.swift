import Foundation
import Training

/// The checkpoint being served, and its atomic replacement by a newer one.
///
/// A reload loads the new checkpoint completely beside the old one, then swaps the reference:
/// requests already encoded for the old checkpoint are still scored by it (``BatchScorer``
/// never mixes checkpoints in one call), later ones use the new one, and none is dropped.
/// Reloads run one at a time on a queue of their own, off the request threads.
public final class ModelSlot: @unchecked Sendable {
    /// What a reload did.
    public struct Outcome: Codable, Sendable, Equatable {
        /// The checkpoint now served.
        public var checkpoint: String
        /// The checkpoint served before.
        public var previous: String
        /// Whether the checkpoint changed (false: the path still holds the served one).
        public var changed: Bool
    }

    /// The checkpoint or run folder the server was started with.
    public let path: String
    private let unknownFields: ServingConfiguration.UnknownFieldPolicy
    private let metrics: ServingMetrics
    private let lock = NSLock()
    private var model: ServedModel
    private let loader = DispatchQueue(label: "dtrn.serving.reload")

    /// Loads the checkpoint at `path` (a checkpoint folder, or a run folder: its best checkpoint).
    public init(path: String, unknownFields: ServingConfiguration.UnknownFieldPolicy, metrics: ServingMetrics) throws {
        self.path = path
        self.unknownFields = unknownFields
        self.metrics = metrics
        let folder = try RunDirectory.resolveCheckpoint(path)
        model = try ServedModel(checkpoint: try Checkpoint.read(folder), folder: folder, unknownFields: unknownFields)
    }

    /// The model serving new requests.
    public var current: ServedModel {
        lock.withLock { model }
    }

    /// Loads the checkpoint now at ``path`` (for a run folder, its best one now) and swaps it in,
    /// unless it is the one already served. On failure the served model stays.
    public func reload() async throws -> Outcome {
        try await withCheckedThrowingContinuation { continuation in
            loader.async { [self] in
                continuation.resume(with: Result { try reloadNow() })
            }
        }
    }

    private func reloadNow() throws -> Outcome {
        let served = current
        let folder = try RunDirectory.resolveCheckpoint(path)
        let checkpoint = try Checkpoint.read(folder)
        guard checkpoint.id != served.id else {
            return Outcome(checkpoint: served.id, previous: served.id, changed: false)
        }
        let fresh = try ServedModel(checkpoint: checkpoint, folder: folder, unknownFields: unknownFields)
        lock.withLock { model = fresh }
        metrics.recordReload()
        return Outcome(checkpoint: fresh.id, previous: served.id, changed: true)
    }
}
