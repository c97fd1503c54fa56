/// Why a report cannot be written.
public enum ReportError: Error, CustomStringConvertible, Equatable {
    /// A file or folder given is not what a report reads.
    case unreadable(String, reason: String)
    /// Nothing to draw.
    case empty(String)
    /// The report cannot be written where asked.
    case unwritable(String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "\(path): \(reason)"
        case .empty(let what): what
        case .unwritable(let path, let reason): "cannot write \(path): \(reason)"
        }
    }
}
