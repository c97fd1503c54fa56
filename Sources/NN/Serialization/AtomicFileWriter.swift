import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a file so that it is either left as it was or completely replaced, even across a crash:
/// the bytes go to a temporary file in the same directory, are flushed to disk, and the
/// temporary file is renamed over the destination; the directory is then flushed too.
struct AtomicFileWriter {
    private let destination: URL
    private let temporaryPath: String
    private let descriptor: Int32

    /// Writes a file at `url` with the bytes `body` appends.
    static func write(to url: URL, _ body: (inout AtomicFileWriter) throws -> Void) throws {
        var writer = try AtomicFileWriter(destination: url)
        let temporaryPath = writer.temporaryPath
        do {
            try body(&writer)
            if fsync(writer.descriptor) != 0 { throw systemError(url, "flushing \(temporaryPath)") }
        } catch {
            close(writer.descriptor)
            unlink(temporaryPath)
            throw error
        }
        if close(writer.descriptor) != 0 || rename(temporaryPath, url.path) != 0 {
            let error = systemError(url, "closing and renaming \(temporaryPath)")
            unlink(temporaryPath)
            throw error
        }
        let directory = open(url.deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directory >= 0 else { throw systemError(url, "opening its directory") }
        defer { close(directory) }
        if fsync(directory) != 0 { throw systemError(url, "flushing its directory") }
    }

    private init(destination: URL) throws {
        self.destination = destination
        let directory = destination.deletingLastPathComponent().path
        temporaryPath = directory + "/." + destination.lastPathComponent + "." + UUID().uuidString + ".tmp"
        descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if descriptor < 0 { throw Self.systemError(destination, "creating \(temporaryPath)") }
    }

    /// Appends `bytes` to the file.
    mutating func append(_ bytes: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < bytes.count {
            let written = systemWrite(descriptor, bytes.baseAddress! + done, bytes.count - done)
            if written < 0 {
                if errno == EINTR { continue }
                throw Self.systemError(destination, "writing \(temporaryPath)")
            }
            done += written
        }
    }

    /// The error for a failed system call, with the system's message for `errno`.
    private static func systemError(_ url: URL, _ operation: String) -> TensorFileError {
        TensorFileError(url, .io(operation: operation, message: String(cString: strerror(errno))))
    }
}

/// `write(2)`, out of the reach of ``AtomicFileWriter/write(to:_:)``'s name.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}

/// Writes whole files atomically (through ``AtomicFileWriter``), for callers outside this module.
public enum AtomicFile {
    /// Replaces the file at `url` with `data`, or leaves it as it was when writing fails.
    public static func write(_ data: Data, to url: URL) throws {
        try AtomicFileWriter.write(to: url) { file in
            try data.withUnsafeBytes { try file.append($0) }
        }
    }
}
