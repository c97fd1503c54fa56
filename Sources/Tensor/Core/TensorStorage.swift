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

    /// Tunes the C heap for tensor buffers. The first tensor does it; a program calls it first
    /// thing on its main thread, before other threads allocate, so that it covers them all
    /// (`dtrn` does). It changes glibc's malloc only:
    ///
    /// - One heap for every thread (`M_ARENA_MAX` 1). A thread other than the main one gets a
    ///   heap of its own that holds at most 64 MB; a training step whose buffers need more
    ///   makes a second heap and releases it again every step, and each of its pages faults
    ///   anew (large PLE training: 400 k page faults in 7 s).
    /// - Buffers up to 32 MB, the most glibc accepts, come from that heap instead of a
    ///   mapping of their own that is returned to the system when freed.
    /// - Freed memory stays in the heap: a training step frees and reallocates the same sizes
    ///   every time, and fresh pages from the system cost a page fault and a clear each.
    public static func tuneHeap() {
        _ = heapTuning
    }

    private static let heapTuning: Void = {
        #if os(Linux)
        mallopt(M_ARENA_MAX, 1)
        mallopt(M_MMAP_THRESHOLD, 32 << 20)
        mallopt(M_TRIM_THRESHOLD, Int32.max)
        #endif
    }()

    /// Allocates `count` elements, zero-filled when `zeroed` is true and uninitialised otherwise.
    public init(count: Int, zeroed: Bool = true) {
        precondition(count >= 0, "negative storage size")
        Self.tuneHeap()
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
