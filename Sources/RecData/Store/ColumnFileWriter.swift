#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Synchronization

/// Appends values of one type to a file through two fixed buffers, so output grows on disk, not in
/// memory, and the copying into the kernel's page cache happens beside the work that produces it.
///
/// While one buffer fills, the other is written by ``BackgroundFileWrites``: appending waits only
/// when a buffer fills before the previous one is on disk. A failed write is reported by the next
/// `append` that fills a buffer, or at the latest by `flush`.
final class ColumnFileWriter<Element: BitwiseCopyable> {
    /// The file written.
    let path: String
    private let descriptor: Int32
    private var buffer: UnsafeMutablePointer<Element>
    /// The buffer being written in the background, or free when ``writing`` is idle.
    private var spare: UnsafeMutablePointer<Element>
    private let capacity: Int
    private var buffered = 0
    private let writing: BackgroundFileWrites.Slot
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
        spare = .allocate(capacity: capacity)
        writing = BackgroundFileWrites.Slot()
    }

    deinit {
        _ = writing.waitUntilIdle()
        close(descriptor)
        buffer.deallocate()
        spare.deallocate()
    }

    /// Appends one value.
    @inline(__always)
    func append(_ value: Element) throws {
        if buffered == capacity { try submit() }
        buffer[buffered] = value
        buffered += 1
        count += 1
    }

    /// Appends several values.
    func append(contentsOf values: UnsafeBufferPointer<Element>) throws {
        guard let source = values.baseAddress else { return }
        var copied = 0
        while copied < values.count {
            if buffered == capacity { try submit() }
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
            if buffered == capacity { try submit() }
            let chunk = min(remaining, capacity - buffered)
            (buffer + buffered).update(repeating: value, count: chunk)
            buffered += chunk
            remaining -= chunk
        }
        self.count += count
    }

    /// Writes out everything appended and waits until it is in the file; call once at the end.
    func flush() throws {
        try submit()
        if let failure = writing.waitUntilIdle() { throw DataError.io(path: path, reason: failure) }
    }

    /// Hands the filled buffer to the background writes (after the previous one is written) and
    /// continues in the other.
    private func submit() throws {
        if let failure = writing.waitUntilIdle() { throw DataError.io(path: path, reason: failure) }
        guard buffered > 0 else { return }
        swap(&buffer, &spare)
        writing.start(descriptor: descriptor, bytes: UnsafeRawPointer(spare), count: buffered * MemoryLayout<Element>.stride)
        buffered = 0
    }
}

/// The thread that writes the filled buffers of every ``ColumnFileWriter`` of the process, in the
/// order they were handed over.
enum BackgroundFileWrites {
    private static let queue = DispatchQueue(label: "dtrn.column-file-writes")

    /// One writer's at most one write in flight, and the error of the last one.
    final class Slot: Sendable {
        private let idle = DispatchSemaphore(value: 0)
        private let failure = Mutex<String?>(nil)

        /// A slot with no write in flight.
        init() { idle.signal() }

        /// Waits for the write in flight, if any; returns (and clears) the reason it failed.
        func waitUntilIdle() -> String? {
            idle.wait()
            idle.signal()
            return failure.withLock { reason in
                defer { reason = nil }
                return reason
            }
        }

        /// Writes `count` bytes at `bytes` to `descriptor` in the background; the bytes must stay
        /// untouched until ``waitUntilIdle()`` returns.
        func start(descriptor: Int32, bytes: UnsafeRawPointer, count: Int) {
            idle.wait()
            let source = UncheckedSendable(bytes)
            BackgroundFileWrites.queue.async { [self] in
                if let reason = BackgroundFileWrites.writeAll(descriptor, source.value, count) {
                    failure.withLock { $0 = reason }
                }
                idle.signal()
            }
        }
    }

    /// Writes all `count` bytes, retrying interrupted and partial writes; returns why it failed.
    private static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> String? {
        var (source, remaining) = (bytes, count)
        while remaining > 0 {
            let written = write(descriptor, source, remaining)
            if written < 0 {
                if errno == EINTR { continue }
                return "write failed (\(String(cString: strerror(errno))))"
            }
            remaining -= written
            source += written
        }
        return nil
    }

    /// A pointer handed to the writing thread, which alone reads it until the write completes.
    private struct UncheckedSendable: @unchecked Sendable {
        let value: UnsafeRawPointer
        init(_ value: UnsafeRawPointer) { self.value = value }
    }
}
