import Dispatch
import Foundation
import Synchronization

/// Persistent worker threads for data-parallel kernels.
///
/// A kernel call is a few microseconds to a few hundred; waking a sleeping thread costs
/// tens of microseconds. Workers therefore spin for a short while after each job before
/// they sleep, so that the back-to-back kernels of a training step find them awake. The
/// calling thread always runs part 0 itself.
final class WorkerPool: @unchecked Sendable {
    /// The pool sized for ``Parallelism/threadCount``, rebuilt when that changes.
    nonisolated(unsafe) private static var current: WorkerPool?
    private static let lock = NSLock()

    /// The pool with `threads − 1` workers.
    static func shared(threads: Int) -> WorkerPool {
        lock.lock()
        defer { lock.unlock() }
        if let pool = current, pool.workers.count == threads - 1 { return pool }
        current?.shutDown()
        let pool = WorkerPool(workers: threads - 1)
        current = pool
        return pool
    }

    /// One worker's thread and its wake-up signal.
    private final class Worker: @unchecked Sendable {
        let wake = DispatchSemaphore(value: 0)
        let sleeping = Atomic<Bool>(false)
    }

    private let workers: [Worker]
    /// Incremented for every job; workers run a job when they see a new value.
    private let generation = Atomic<Int>(0)
    /// Parts of the current job not yet finished by workers.
    private let pending = Atomic<Int>(0)
    private let stopped = Atomic<Bool>(false)
    /// Whether a job is in flight; a second caller meanwhile runs its parts itself.
    private let busy = Atomic<Bool>(false)
    nonisolated(unsafe) private var job: ((Int) -> Void)?
    nonisolated(unsafe) private var parts = 0
    /// Spin iterations before a worker sleeps (a few hundred microseconds: long enough to span
    /// the serial stretches between the products of a training or scoring step).
    private static let spinLimit = 200_000

    private init(workers count: Int) {
        workers = (0..<count).map { _ in Worker() }
        for (index, worker) in workers.enumerated() {
            let thread = Thread { [unowned self] in self.loop(worker, part: index + 1) }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    /// Runs `body(part)` for every part in `0..<parts` (at most one per worker plus the
    /// caller) and returns when all are done. While another thread's job is in flight (or
    /// from inside a job), the caller runs every part itself.
    func run(parts: Int, _ body: (Int) -> Void) {
        precondition(parts <= workers.count + 1, "more parts than threads")
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            for part in 0..<parts { body(part) }
            return
        }
        defer { busy.store(false, ordering: .releasing) }
        withoutActuallyEscaping(body) { body in
            job = body
            self.parts = parts
            pending.store(parts - 1, ordering: .sequentiallyConsistent)
            generation.add(1, ordering: .sequentiallyConsistent)
            for worker in workers where worker.sleeping.exchange(false, ordering: .sequentiallyConsistent) {
                worker.wake.signal()
            }
            body(0)
            while pending.load(ordering: .acquiring) > 0 { }
            job = nil
        }
    }

    private func loop(_ worker: Worker, part: Int) {
        var seen = 0  // the value at creation: no job can start before init returns
        while !stopped.load(ordering: .relaxed) {
            var spins = 0
            var now = generation.load(ordering: .acquiring)
            while now == seen && spins < Self.spinLimit {
                spins += 1
                now = generation.load(ordering: .acquiring)
            }
            if now == seen {
                worker.sleeping.store(true, ordering: .sequentiallyConsistent)
                if generation.load(ordering: .sequentiallyConsistent) == seen {
                    worker.wake.wait()
                }
                worker.sleeping.store(false, ordering: .sequentiallyConsistent)
                continue
            }
            seen = now
            if part < parts, let job { job(part) }
            if part < parts { pending.subtract(1, ordering: .releasing) }
        }
    }

    /// Stops the workers (they finish after their current spin or wake-up).
    private func shutDown() {
        stopped.store(true, ordering: .relaxed)
        generation.add(1, ordering: .sequentiallyConsistent)
        for worker in workers { worker.wake.signal() }
    }
}
