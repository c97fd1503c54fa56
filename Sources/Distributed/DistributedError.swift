/// Why a data-parallel job cannot go on.
public enum DistributedError: Error, CustomStringConvertible, Equatable {
    /// The processes were started with different inputs.
    case mismatch(String)
    /// The leader failed at a step the others wait for.
    case leaderFailed(String)

    public var description: String {
        switch self {
        case .mismatch(let message): message
        case .leaderFailed(let message): "rank 0 failed: \(message)"
        }
    }
}
