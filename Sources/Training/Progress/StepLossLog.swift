import Foundation

/// The training loss over a few steps, as written to `steps.jsonl`: the mean loss of the
/// steps after the previous record up to and including `step`.
public struct StepRecord: Codable, Sendable, Equatable {
    /// Optimiser steps taken when the record was made.
    public var step: Int
    /// The epoch the steps belong to.
    public var epoch: Int
    /// The mean training loss of those steps (task-weighted, with auxiliary terms).
    public var loss: Double

    /// A record of the steps up to `step` in `epoch`.
    public init(step: Int, epoch: Int, loss: Double) {
        (self.step, self.epoch, self.loss) = (step, epoch, loss)
    }
}

/// A run's learning curve by steps: the loss averaged over windows of `interval` steps,
/// windows restarting with every epoch (so that a resumed run records the same windows).
struct StepLossLog {
    /// The records so far.
    private(set) var records: [StepRecord] = []
    /// Steps per record; chosen per epoch by ``startEpoch(batches:)``.
    private var interval = 1
    private var sum = 0.0, count = 0

    /// Records at most this many windows per epoch.
    static let windowsPerEpoch = 100

    /// Starts an epoch of `batches` steps.
    mutating func startEpoch(batches: Int) {
        interval = max(1, (batches + Self.windowsPerEpoch - 1) / Self.windowsPerEpoch)
        (sum, count) = (0, 0)
    }

    /// Adds the loss of the step that brought the run to `step`; records a window when full
    /// or when `endOfEpoch`.
    mutating func add(_ loss: Double, step: Int, epoch: Int, endOfEpoch: Bool) {
        sum += loss
        count += 1
        guard count == interval || endOfEpoch else { return }
        records.append(StepRecord(step: step, epoch: epoch, loss: sum / Double(count)))
        (sum, count) = (0, 0)
    }

    /// Continues from the records of `url` up to step `step` (none when the file is absent).
    mutating func resume(from url: URL, upTo step: Int) throws {
        records = try Self.read(url).filter { $0.step <= step }
    }

    /// Every record, one JSON object a line.
    func jsonLines() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let lines = try records.map { String(decoding: try encoder.encode($0), as: UTF8.self) + "\n" }
        return Data(lines.joined().utf8)
    }

    /// The records of a `steps.jsonl` file (none when it does not exist).
    static func read(_ url: URL) throws -> [StepRecord] {
        guard let data = FileManager.default.contents(atPath: url.path) else { return [] }
        return try String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated().map { line, text in
            do {
                return try JSONDecoder().decode(StepRecord.self, from: Data(text.utf8))
            } catch {
                throw TrainingError.checkpoint(path: url.path, reason: "line \(line + 1) is not a step record: \(error)")
            }
        }
    }
}
