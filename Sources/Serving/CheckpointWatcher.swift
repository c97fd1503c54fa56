import Foundation
import ServiceLifecycle
import Training

/// Reloads the served checkpoint when the one at the server's path changes (`--reload-on-change`):
/// every `interval` seconds it looks at which checkpoint the path resolves to (a run folder's
/// best one can move on) and when its `checkpoint.json` was written, and reloads when either
/// differs from the last look. Checkpoints are written under a temporary name and renamed into
/// place, so a changed one is always complete.
public struct CheckpointWatcher: Service {
    /// The slot to reload.
    public let slot: ModelSlot
    /// Seconds between looks.
    public let interval: Double
    /// Receives one line per reload or failed reload.
    public let log: @Sendable (String) -> Void

    /// A watcher of `slot`'s path.
    public init(slot: ModelSlot, interval: Double, log: @escaping @Sendable (String) -> Void) {
        self.slot = slot
        self.interval = interval
        self.log = log
    }

    /// Looks every `interval` seconds until graceful shutdown.
    public func run() async throws {
        var seen = fingerprint()
        while await pause() {
            let now = fingerprint()
            guard now != seen else { continue }
            seen = now
            do {
                let outcome = try await slot.reload()
                if outcome.changed { log("reloaded checkpoint \(outcome.checkpoint) (was \(outcome.previous))") }
            } catch {
                log("the checkpoint changed but could not be loaded; still serving \(slot.current.id): \(error)")
            }
        }
    }

    /// Sleeps one interval; false once the server is shutting down.
    private func pause() async -> Bool {
        do {
            try await cancelWhenGracefulShutdown { [interval] in try await Task.sleep(for: .seconds(interval)) }
            return true
        } catch {
            return false
        }
    }

    /// The resolved checkpoint folder and the modification time of its state file, or nil
    /// while the path resolves to nothing.
    private func fingerprint() -> String? {
        guard let folder = try? RunDirectory.resolveCheckpoint(slot.path) else { return nil }
        let state = folder.appendingPathComponent("checkpoint.json").path
        guard let modified = try? FileManager.default.attributesOfItem(atPath: state)[.modificationDate] as? Date else { return nil }
        return "\(folder.path) \(modified.timeIntervalSince1970)"
    }
}
