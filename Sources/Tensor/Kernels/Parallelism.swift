import CBLAS
import Dispatch
import Foundation

/// Thread use of the kernels: Swift loops and matrix products split their rows over
/// `threadCount` workers. OpenBLAS itself always runs single-threaded inside each worker
/// (see ``Gemm``), so the two never oversubscribe the cores.
public enum Parallelism {
    nonisolated(unsafe) private static var configuredThreads: Int = {
        openblas_set_num_threads(1)
        return ProcessInfo.processInfo.activeProcessorCount
    }()

    /// Whether the caller runs inside one part of ``mapParts(_:minimumPart:_:)``.
    @TaskLocal private static var isInsidePart = false

    /// The number of worker threads used by kernels and matrix products (1 inside a part of
    /// ``mapParts(_:minimumPart:_:)``, whose parts already occupy the workers).
    public static var threadCount: Int { isInsidePart ? 1 : configuredThreads }

    /// Sets the number of worker threads (at least 1).
    public static func setThreadCount(_ n: Int) {
        configuredThreads = max(1, n)
        openblas_set_num_threads(1)
    }

    /// Below this many element operations a loop runs on the calling thread.
    static let minimumParallelWork = 1 << 15

    /// Runs `body` over `0..<count` split into contiguous chunks, in parallel when
    /// `count × costPerItem` is large enough to pay for the threads.
    @inline(__always)
    static func forEachChunk(_ count: Int, costPerItem: Int, _ body: (Range<Int>) -> Void) {
        let workers = threadCount
        if workers <= 1 || count < 2 || count * costPerItem < minimumParallelWork {
            body(0..<count)
            return
        }
        run(parts: min(workers, count)) { c, chunks in body(count * c / chunks ..< count * (c + 1) / chunks) }
    }

    /// Runs `body` over `0..<count` split into contiguous chunks, each chunk adding into a
    /// buffer of `size` floats: `destination` itself when the work runs on one thread, otherwise
    /// a zero-filled buffer per chunk, the buffers then added to `destination` in chunk order.
    /// For sums whose terms come from every chunk (a bias's gradient, a broadcast operand's).
    static func forEachChunkSummed(
        _ count: Int, costPerItem: Int, size: Int, into destination: UnsafeMutablePointer<Float>,
        _ body: (Range<Int>, UnsafeMutablePointer<Float>) -> Void
    ) {
        let workers = threadCount
        if workers <= 1 || count < 2 || count * costPerItem < minimumParallelWork {
            body(0..<count, destination)
            return
        }
        let parts = min(workers, count)
        var sums = [Float](repeating: 0, count: parts * size)
        sums.withUnsafeMutableBufferPointer { sums in
            let sums = sums.baseAddress!
            run(parts: parts) { part, parts in body(count * part / parts ..< count * (part + 1) / parts, sums + part * size) }
            for part in 0..<parts { accumulate(sums + part * size, into: destination, size) }
        }
    }

    /// Runs `body(part, parts)` for each part in `0..<parts` on the worker threads and the
    /// caller, returning when all are done.
    @inline(__always)
    static func run(parts: Int, _ body: (_ part: Int, _ parts: Int) -> Void) {
        if parts <= 1 {
            body(0, 1)
            return
        }
        WorkerPool.shared(threads: configuredThreads).run(parts: parts) { body($0, parts) }
    }

    /// `body` over `0..<count` cut into one contiguous part per worker (parts of at least
    /// `minimumPart` items), each part run whole on its own thread with every kernel inside it
    /// single-threaded; the results in part order.
    ///
    /// For work made of many small ops over independent items (scoring a batch), this keeps
    /// the cores busy without a hand-over per op.
    public static func mapParts<T>(_ count: Int, minimumPart: Int, _ body: (Range<Int>) -> T) -> [T] {
        let parts = min(threadCount, count / max(1, minimumPart))
        guard parts > 1 else { return [body(0..<count)] }
        var results = [T?](repeating: nil, count: parts)
        results.withUnsafeMutableBufferPointer { slots in
            run(parts: parts) { part, parts in
                let range = count * part / parts ..< count * (part + 1) / parts
                slots[part] = $isInsidePart.withValue(true) { body(range) }
            }
        }
        return results.map { $0! }
    }
}
