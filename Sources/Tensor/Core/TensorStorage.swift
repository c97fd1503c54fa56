import Foundation
#if os(Linux)
import CMalloc
#endif

/// A reference-counted, 64-byte aligned buffer of `Float` values.
///
/// Tensors never own memory directly: several tensors (for example a tensor and its
/// reshaped view) may share one storage.
///
/// Storage whose values an op can recompute (a batch norm's output in training) may drop
/// them until they are read again: see ``dropValues()``.
public final class TensorStorage: @unchecked Sendable {
    /// The number of elements.
    public let count: Int
    /// The buffer, nil while the values are dropped.
    @usableFromInline var base: UnsafeMutablePointer<Float>?
    /// Writes the values into a buffer of `count` elements, for storage whose values may be
    /// dropped and made again. Set by the op that made them, cleared when its backward has run.
    var recompute: ((UnsafeMutablePointer<Float>) -> Void)?

    /// The first element. Reading it brings dropped values back (recomputed), so a pointer is
    /// read on the thread that runs an op before the op splits its work.
    @inlinable public var pointer: UnsafeMutablePointer<Float> {
        if let base { return base }
        return restoredBase()
    }

    /// Keeps malloc's freed memory in the process rather than returning it to the system, for
    /// the buffers smaller than the ``BufferHeap`` takes and other allocations that come and go
    /// every step: fresh pages from the system cost a page fault and a clear each. (32 MB is
    /// the largest mapping threshold glibc accepts; it ignores a larger one.)
    private static let heapTuning: Void = {
        #if os(Linux)
        mallopt(M_MMAP_THRESHOLD, 32 << 20)
        mallopt(M_TRIM_THRESHOLD, Int32.max)
        #endif
    }()

    /// Allocates `count` elements, zero-filled when `zeroed` is true and uninitialised otherwise.
    public init(count: Int, zeroed: Bool = true) {
        precondition(count >= 0, "negative storage size")
        Self.heapTuning
        self.count = count
        let buffer = Self.allocate(count)
        if zeroed { buffer.initialize(repeating: 0, count: count) }
        base = buffer
    }

    /// A buffer of `count` elements: from the ``BufferHeap`` when it is large, from malloc otherwise.
    private static func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        let block = bytes >= BufferHeap.smallestSize ? BufferHeap.shared.allocate(bytes) : nil
        return (block ?? UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: BufferHeap.alignment))
            .bindMemory(to: Float.self, capacity: max(count, 1))
    }

    private static func deallocate(_ buffer: UnsafeMutablePointer<Float>) {
        let raw = UnsafeMutableRawPointer(buffer)
        if !BufferHeap.shared.deallocate(raw) { raw.deallocate() }
    }

    /// Allocates storage holding a copy of `values`.
    public convenience init<C: Collection>(copying values: C) where C.Element == Float {
        self.init(count: values.count, zeroed: false)
        var p = pointer
        for v in values { p.pointee = v; p += 1 }
    }

    deinit { base.map(Self.deallocate) }

    /// Makes the dropped values again into a fresh buffer.
    @usableFromInline func restoredBase() -> UnsafeMutablePointer<Float> {
        guard let recompute else { preconditionFailure("tensor values read after they were dropped") }
        let buffer = Self.allocate(count)
        recompute(buffer)
        base = buffer
        return buffer
    }

    /// Frees the values when an op can recompute them, until something reads ``pointer``
    /// again; otherwise does nothing. For a training step's activations whose forward readers
    /// are done and whose backward readers come much later: the memory is free in between.
    ///
    /// Only tensors whose readers take ``pointer`` afresh when they run (not a pointer kept
    /// from before the drop) may be dropped; the layers that drop them know their readers.
    func dropValues() {
        guard recompute != nil, let buffer = base else { return }
        Self.deallocate(buffer)
        base = nil
    }

    /// The elements as a buffer.
    public var buffer: UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: pointer, count: count)
    }
}
