#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Appends values of one type to a file through a fixed buffer, so output grows on disk, not in memory.
final class ColumnFileWriter<Element: BitwiseCopyable> {
    /// The file written.
    let path: String
    private let descriptor: Int32
    private let buffer: UnsafeMutablePointer<Element>
    private let capacity: Int
    private var buffered = 0
    /// The number of values appended so far.
    private(set) var count = 0

    /// Creates (or truncates) the file at `path`.
    init(path: String, bufferBytes: Int = 1 << 20) throws {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if descriptor < 0 {
            throw DataError.io(path: path, reason: "cannot create (\(String(cString: strerror(errno))))")
        }
        capacity = max(1, bufferBytes / MemoryLayout<Element>.stride)
        buffer = .allocate(capacity: capacity)
    }

    deinit {
        close(descriptor)
        buffer.deallocate()
    }

    /// Appends one value.
    @inline(__always)
    func append(_ value: Element) throws {
        if buffered == capacity { try flush() }
        buffer[buffered] = value
        buffered += 1
        count += 1
    }

    /// Appends several values.
    func append(contentsOf values: UnsafeBufferPointer<Element>) throws {
        guard let source = values.baseAddress else { return }
        var copied = 0
        while copied < values.count {
            if buffered == capacity { try flush() }
            let chunk = min(values.count - copied, capacity - buffered)
            (buffer + buffered).update(from: source + copied, count: chunk)
            buffered += chunk
            copied += chunk
        }
        count += values.count
    }

    /// Appends `count` copies of `value`.
    func append(repeating value: Element, count: Int) throws {
        var remaining = count
        while remaining > 0 {
            if buffered == capacity { try flush() }
            let chunk = min(remaining, capacity - buffered)
            (buffer + buffered).update(repeating: value, count: chunk)
            buffered += chunk
            remaining -= chunk
        }
        self.count += count
    }

    /// Writes out everything appended; call once at the end.
    func flush() throws {
        var remaining = buffered * MemoryLayout<Element>.stride
        var source = UnsafeRawPointer(buffer)
        while remaining > 0 {
            let written = write(descriptor, source, remaining)
            if written < 0 {
                if errno == EINTR { continue }
                throw DataError.io(path: path, reason: "write failed (\(String(cString: strerror(errno))))")
            }
            remaining -= written
            source += written
        }
        buffered = 0
    }
}
