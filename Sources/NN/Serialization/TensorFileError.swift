import Foundation

/// A tensor file that cannot be written, read, or applied to the tensors it should restore.
public struct TensorFileError: Error, CustomStringConvertible, Equatable {
    /// What went wrong.
    public enum Reason: Sendable, Equatable {
        /// A system call failed (`operation` names it).
        case io(operation: String, message: String)
        /// The file does not start with the tensor file signature.
        case notATensorFile
        /// The file was written by an unknown version of the format.
        case unsupportedVersion(UInt32)
        /// The file is shorter or longer than its header says (a truncated or appended file).
        case sizeMismatch(expectedBytes: Int, actualBytes: Int)
        /// The stored checksum of a section (`index` or `data`) does not match its bytes.
        case checksumMismatch(section: String)
        /// The index cannot be decoded or is inconsistent.
        case malformedIndex(String)
        /// The file lacks a metadata value, or holds another one.
        case metadataMismatch(key: String, expected: String, found: String?)
        /// Tensors expected but absent from the file.
        case missingTensors([String])
        /// Tensors in the file that nothing expects.
        case unexpectedTensors([String])
        /// A tensor whose stored shape differs from the expected one.
        case shapeMismatch(name: String, expected: [Int], found: [Int])
    }

    /// The file concerned.
    public let path: String
    /// What went wrong.
    public let reason: Reason

    /// An error about the file at `url`.
    public init(_ url: URL, _ reason: Reason) {
        path = url.path
        self.reason = reason
    }

    /// The file and the problem, in one line.
    public var description: String {
        "\(path)" + {
            switch reason {
            case .io(let operation, let message):
                return ": \(operation) failed: \(message)"
            case .notATensorFile:
                return ": not a tensor file (bad signature)"
            case .unsupportedVersion(let version):
                let current = TensorFileLayout.version
                return " was written by \(version > current ? "a newer" : "an older") version of dtrn "
                    + "(format \(version), this build reads \(current))"
            case .sizeMismatch(let expected, let actual):
                return ": file is \(actual) bytes but its header describes \(expected) (truncated or corrupt)"
            case .checksumMismatch(let section):
                return ": checksum of the \(section) section does not match (corrupt file)"
            case .malformedIndex(let detail):
                return ": malformed index: \(detail)"
            case .metadataMismatch(let key, let expected, let found):
                return ": metadata '\(key)' is \(found.map { "'\($0)'" } ?? "absent"), expected '\(expected)'"
            case .missingTensors(let names):
                return ": missing \(names.count == 1 ? "tensor" : "tensors") \(names.joined(separator: ", "))"
            case .unexpectedTensors(let names):
                return ": unexpected \(names.count == 1 ? "tensor" : "tensors") \(names.joined(separator: ", "))"
            case .shapeMismatch(let name, let expected, let found):
                return ": tensor '\(name)' has shape \(found) in the file, expected \(expected)"
            }
        }()
    }
}
