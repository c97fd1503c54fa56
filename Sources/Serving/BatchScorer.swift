import Foundation
import RecData
import ServiceLifecycle

/// Runs the model on one worker thread, merging the rows of requests that arrive close
/// together into one model call (micro-batching), so that throughput grows with load while
/// the model — which is not safe to run concurrently — only ever runs on that thread.
///
/// A request counts as on its way while its body is read and encoded, then its rows join the
/// queue. The worker takes the oldest queued request and, while others are on their way,
/// waits for them — at most `maxWaitMilliseconds` from its arrival and until `maxBatchRows`
/// rows are queued — then scores the queued requests that fit in `maxBatchRows` (at least
/// one, whatever its size, and only requests encoded for the same checkpoint) in one call.
/// So a lone request is scored at once, and under load requests share model calls. Nothing waits
/// unboundedly: beyond `maxQueuedRows` queued rows a request is refused at once, and one that
/// waited longer than `queueTimeoutSeconds` is answered with a 503 instead of being scored.
///
/// As a `Service` it starts the worker in ``run()`` and, on graceful shutdown, scores what is
/// still queued, refuses new requests and returns once the worker has stopped.
public final class BatchScorer: Service, @unchecked Sendable {
    private struct Job {
        let rows: [EncodedRow]
        let model: ServedModel
        let enqueued: UInt64
        let continuation: CheckedContinuation<[Float], any Error>
    }

    private let maxBatchRows: Int
    private let maxWait: UInt64
    private let maxQueuedRows: Int
    private let queueTimeout: UInt64
    private let metrics: ServingMetrics
    private let condition = NSCondition()
    private var queue: [Job] = []
    private var queuedRows = 0
    private var onTheirWay = 0
    private var stopping = false
    private var workerStopped = false
    private var stopWaiter: CheckedContinuation<Void, Never>?

    /// A scorer with `configuration`'s batching limits, recording batch sizes into `metrics`.
    public init(configuration: ServingConfiguration, metrics: ServingMetrics) {
        maxBatchRows = configuration.maxBatchRows
        maxWait = UInt64(configuration.maxWaitMilliseconds) * 1_000_000
        maxQueuedRows = configuration.maxQueuedRows
        queueTimeout = UInt64(configuration.queueTimeoutSeconds * 1e9)
        self.metrics = metrics
    }

    /// The scores of the rows that `prepare` reads and encodes, `[rows × tasks]` row-major,
    /// computed in a batch with other requests' rows, and the model that scored them.
    /// While `prepare` runs, the request counts as on its way.
    public func score(
        _ prepare: () async throws -> (rows: [EncodedRow], model: ServedModel)
    ) async throws -> (scores: [Float], model: ServedModel) {
        condition.withLock { onTheirWay += 1 }
        let prepared: (rows: [EncodedRow], model: ServedModel)
        do {
            prepared = try await prepare()
        } catch {
            condition.withLock {
                onTheirWay -= 1
                condition.signal()
            }
            throw error
        }
        return (try await enqueue(prepared.rows, model: prepared.model), prepared.model)
    }

    /// Queues the rows of a request on its way and waits for their scores.
    private func enqueue(_ rows: [EncodedRow], model: ServedModel) async throws -> [Float] {
        try await withCheckedThrowingContinuation { continuation in
            condition.lock()
            defer { condition.unlock() }
            onTheirWay -= 1
            condition.signal()
            if rows.isEmpty {
                continuation.resume(returning: [])
            } else if stopping {
                continuation.resume(throwing: ServingError.unavailable("the server is shutting down"))
            } else if queuedRows > 0 && queuedRows + rows.count > maxQueuedRows {
                continuation.resume(throwing: ServingError.unavailable(
                    "the server is busy (\(queuedRows) instances queued); retry later"))
            } else {
                queue.append(Job(rows: rows, model: model, enqueued: Self.now(), continuation: continuation))
                queuedRows += rows.count
            }
        }
    }

    /// Runs the worker until graceful shutdown (or cancellation), then drains the queue.
    public func run() async throws {
        let worker = Thread { [self] in
            while let batch = nextBatch() { answer(batch) }
            condition.withLock {
                workerStopped = true
                stopWaiter?.resume()
                stopWaiter = nil
            }
        }
        worker.name = "dtrn-scorer"
        worker.start()
        try? await gracefulShutdown()
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            condition.withLock {
                stopping = true
                condition.signal()
                if workerStopped { waiter.resume() } else { stopWaiter = waiter }
            }
        }
    }

    /// The next requests to score together, or nil once stopping with nothing queued.
    private func nextBatch() -> [Job]? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty {
            if stopping { return nil }
            condition.wait()
        }
        let deadline = queue[0].enqueued + maxWait
        while !stopping && onTheirWay > 0 && queuedRows < maxBatchRows, case let now = Self.now(), now < deadline {
            _ = condition.wait(until: Date(timeIntervalSinceNow: Double(deadline - now) / 1e9))
        }
        let model = queue[0].model
        var taken = 1, rows = queue[0].rows.count
        while taken < queue.count, queue[taken].model === model, rows + queue[taken].rows.count <= maxBatchRows {
            rows += queue[taken].rows.count
            taken += 1
        }
        let batch = Array(queue.prefix(taken))
        queue.removeFirst(taken)
        queuedRows -= rows
        return batch
    }

    /// Scores `batch` in one model call and answers each request with its slice.
    private func answer(_ batch: [Job]) {
        let now = Self.now()
        var live: [Job] = []
        for job in batch {
            if now - job.enqueued <= queueTimeout {
                live.append(job)
            } else {
                job.continuation.resume(throwing: ServingError.unavailable(
                    "timed out after waiting \(Double(queueTimeout) / 1e9) s for the model; retry later"))
            }
        }
        guard let model = live.first?.model else { return }
        let rows = live.flatMap(\.rows)
        let scores = model.predict(rows)
        metrics.recordBatch(rows: rows.count)
        var offset = 0
        for job in live {
            let count = job.rows.count * model.taskCount
            job.continuation.resume(returning: Array(scores[offset..<offset + count]))
            offset += count
        }
    }

    private static func now() -> UInt64 {
        DispatchTime.now().uptimeNanoseconds
    }
}
