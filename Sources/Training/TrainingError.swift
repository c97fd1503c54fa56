/// Why training, evaluation or prediction cannot proceed.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    case invalidConfig(String)
    case checkpoint(path: String, reason: String)
    case data(String)
    /// A training step whose loss is NaN or infinite: the optimiser step it was (1-based, over the
    /// run), the epoch, the batch's 1-based index in the epoch and the epoch's batch count, and
    /// the tasks whose own loss is not finite (empty when only the auxiliary term, or another
    /// process's part of the batch, is).
    case nonFiniteLoss(step: Int, epoch: Int, batch: Int, of: Int, tasks: [String])

    public var description: String {
        switch self {
        case let .nonFiniteLoss(step, epoch, batch, count, tasks):
            let culprits = tasks.isEmpty ? "the auxiliary loss term or another process's part of the batch"
                : (tasks.count == 1 ? "task " : "tasks ") + tasks.map { "'\($0)'" }.joined(separator: ", ")
            return "the training loss is not finite at step \(step) (epoch \(epoch), batch \(batch) of \(count)): "
                + "\(culprits); stopped without writing this epoch's checkpoint"
                + " (lower the learning rate, clip gradients, or check the data)"
        case .invalidConfig(let reason): return "invalid configuration: \(reason)"
        case .checkpoint(let path, let reason): return "\(path): \(reason)"
        case .data(let reason): return reason
        }
    }
}
