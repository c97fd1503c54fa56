#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file mapped into memory with `mmap`, unmapped when the last reference goes.
///
/// Read-only mappings back the columns of a loaded dataset; a writable (shared) mapping lets ingestion
/// rewrite provisional codes in place without reading the file into memory.
public final class MappedFile: @unchecked Sendable {
    /// The first byte of the mapping (nil for an empty file).
    public let bytes: UnsafeRawPointer?
    /// The file's size in bytes.
    public let count: Int
    /// The path mapped.
    public let path: String

    /// Maps `path`, read-only unless `writable`.
    public init(path: String, writable: Bool = false) throws {
        self.path = path
        let descriptor = open(path, writable ? O_RDWR : O_RDONLY)
        if descriptor < 0 {
            throw DataError.io(path: path, reason: "cannot open (\(String(cString: strerror(errno))))")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw DataError.io(path: path, reason: "cannot stat (\(String(cString: strerror(errno))))")
        }
        count = Int(status.st_size)
        if count == 0 {
            bytes = nil
            return
        }
        let protection = writable ? PROT_READ | PROT_WRITE : PROT_READ
        let mapping = mmap(nil, count, protection, MAP_SHARED, descriptor, 0)
        guard let mapping, mapping != MAP_FAILED else {
            throw DataError.io(path: path, reason: "cannot map (\(String(cString: strerror(errno))))")
        }
        bytes = UnsafeRawPointer(mapping)
    }

    deinit {
        if let bytes { munmap(UnsafeMutableRawPointer(mutating: bytes), count) }
    }

    /// The mapping viewed as `count / stride` values of `Element`.
    public func buffer<Element: BitwiseCopyable>(of type: Element.Type) -> UnsafeBufferPointer<Element> {
        guard let bytes else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: bytes.assumingMemoryBound(to: Element.self), count: count / MemoryLayout<Element>.stride)
    }

    /// The mapping viewed as mutable values of `Element` (only for a writable mapping).
    func mutableBuffer<Element: BitwiseCopyable>(of type: Element.Type) -> UnsafeMutableBufferPointer<Element> {
        UnsafeMutableBufferPointer(mutating: buffer(of: type))
    }

    /// The hash of the mapped bytes.
    public var checksum: UInt64 {
        Checksum.of(UnsafeRawBufferPointer(start: bytes, count: count))
    }
}
