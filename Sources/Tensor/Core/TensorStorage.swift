import Foundation
#if os(Linux)
import CMalloc
#endif

/// A reference-counted, 64-byte aligned buffer of `Float` values.
///
/// Tensors never own memory directly: several tensors (for example a tensor and its
/// reshaped view) may share one storage.
public final class TensorStorage: @unchecked Sendable {
    /// The first element.
    public let pointer: UnsafeMutablePointer<Float>
    /// The number of elements.
    public let count: Int

    /// Keeps freed tensor buffers in the process heap rather than returning them to the
    /// system: a training step frees and reallocates the same sizes every time, and fresh
    /// pages from the system cost a page fault and a clear each.
    private static let heapTuning: Void = {
        #if os(Linux)
        mallopt(M_MMAP_THRESHOLD, 1 << 30)
        mallopt(M_TRIM_THRESHOLD, Int32.max)
        #endif
    }()

    /// Allocates `count` elements, zero-filled when `zeroed` is true and uninitialised otherwise.
    public init(count: Int, zeroed: Bool = true) {
        precondition(count >= 0, "negative storage size")
        Self.heapTuning
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: max(count, 1) * MemoryLayout<Float>.stride, alignment: 64)
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        if zeroed { pointer.initialize(repeating: 0, count: count) }
    }

    /// Allocates storage holding a copy of `values`.
    public convenience init<C: Collection>(copying values: C) where C.Element == Float {
        self.init(count: values.count, zeroed: false)
        var p = pointer
        for v in values { p.pointee = v; p += 1 }
    }

    deinit { UnsafeMutableRawPointer(pointer).deallocate() }

    /// The elements as a buffer.
    public var buffer: UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: pointer, count: count)
    }
}
