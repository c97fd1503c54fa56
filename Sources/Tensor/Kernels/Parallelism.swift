import CBLAS
import Dispatch
import Foundation

/// Thread use of the kernels: Swift loops split rows over `threadCount` workers, and
/// OpenBLAS gets the same count. BLAS is only ever called from one thread at a time,
/// so the two never oversubscribe the cores.
public enum Parallelism {
    nonisolated(unsafe) private static var configuredThreads = ProcessInfo.processInfo.activeProcessorCount

    /// The number of worker threads used by kernels and by OpenBLAS.
    public static var threadCount: Int { configuredThreads }

    /// Sets the number of threads for Swift kernels and OpenBLAS (at least 1).
    public static func setThreadCount(_ n: Int) {
        configuredThreads = max(1, n)
        openblas_set_num_threads(Int32(configuredThreads))
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
        let chunks = min(workers, count)
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let work = body
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                work(count * c / chunks ..< count * (c + 1) / chunks)
            }
        }
    }
}
