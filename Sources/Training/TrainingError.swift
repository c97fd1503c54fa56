/// Why training, evaluation or prediction cannot proceed.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    case invalidConfig(String)
    case checkpoint(path: String, reason: String)
    case data(String)

    public var description: String {
        switch self {
        case .invalidConfig(let reason): "invalid configuration: \(reason)"
        case .checkpoint(let path, let reason): "\(path): \(reason)"
        case .data(let reason): reason
        }
    }
}
