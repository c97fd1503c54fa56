import Foundation

/// A file that each fuzz input is written over before the reader under test opens it, as the
/// product reads these inputs from files. It lives in memory-backed `/dev/shm` when the machine
/// has it, so that creating and deleting files on disk does not take most of each execution.
public struct InputFile: Sendable {
    /// Where the target's scratch files go: `/dev/shm`, else the temporary directory.
    public static let scratchDirectory: String = {
        access("/dev/shm", W_OK) == 0 ? "/dev/shm/" : NSTemporaryDirectory()
    }()

    /// The file's path.
    public let path: String

    /// The file `name` (suffixed with the process id, so parallel runs never share it) in the
    /// scratch directory, or `name` inside `folder` when one is given.
    public init(name: String, in folder: String? = nil) {
        if let folder {
            path = folder + "/" + name
        } else {
            path = Self.scratchDirectory + "dtrn-fuzz-\(getpid())-" + name
        }
    }

    /// Replaces the file's content with the input's bytes.
    public func write(_ data: UnsafePointer<UInt8>, count: Int) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { fatalError("cannot write \(path): errno \(errno)") }
        defer { close(descriptor) }
        var written = 0
        while written < count {
            let result = Foundation.write(descriptor, data + written, count - written)
            guard result > 0 else { fatalError("cannot write \(path): errno \(errno)") }
            written += result
        }
    }
}
