import CoreMetrics
import Foundation
import Prometheus

/// The server's metrics, recorded through swift-metrics into a Prometheus registry of its
/// own (not the process-wide metrics system, so that several servers in one process — as in
/// tests — keep separate counts) and exposed in Prometheus text format at `GET /metrics`:
///
/// - `dtrn_http_requests_total{route, status}` and `dtrn_http_errors_total{route, status}`
///   (status ≥ 400), counters;
/// - `dtrn_http_request_duration_seconds{route}`, a latency histogram;
/// - `dtrn_request_instances` (instances per scoring request) and `dtrn_batch_rows` (rows
///   per model call), histograms;
/// - `dtrn_scored_instances_total` and `dtrn_model_reloads_total`, counters.
public final class ServingMetrics: @unchecked Sendable {
    /// The routes counted separately; a KServe v2 model path counts as its template
    /// (`/v2/models/{name}/infer`, …), any other path as `other`.
    static let routes: Set<String> = [
        "/v1/score", "/v1/model", "/v1/reload", "/healthz", "/metrics", "/v2", "/v2/health/live", "/v2/health/ready",
    ]

    private let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    private let lock = NSLock()
    private var requestCounters: [String: CoreMetrics.Counter] = [:]
    private var durations: [String: CoreMetrics.Timer] = [:]
    private let requestInstances: Recorder
    private let batchRows: Recorder
    private let scoredInstances: CoreMetrics.Counter
    private let reloads: CoreMetrics.Counter

    /// Empty metrics.
    public init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000].map {
            Duration.microseconds(Int64($0 * 1000))
        }
        factory.defaultValueHistogramBuckets = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096]
        self.factory = factory
        requestInstances = Recorder(label: "dtrn_request_instances", factory: factory)
        batchRows = Recorder(label: "dtrn_batch_rows", factory: factory)
        scoredInstances = CoreMetrics.Counter(label: "dtrn_scored_instances_total", factory: factory)
        reloads = CoreMetrics.Counter(label: "dtrn_model_reloads_total", factory: factory)
    }

    /// The route label of a request path (see ``routes``).
    static func route(of path: String) -> String {
        if routes.contains(path) { return path }
        guard path.hasPrefix("/v2/models/") else { return "other" }
        for (suffix, route) in [("/infer", "/v2/models/{name}/infer"), ("/ready", "/v2/models/{name}/ready")] where path.hasSuffix(suffix) {
            return route
        }
        return "/v2/models/{name}"
    }

    /// Counts one answered request and its latency.
    func recordRequest(route: String, status: Int, nanoseconds: UInt64) {
        let (counter, errors, timer) = lock.withLock { () -> (CoreMetrics.Counter, CoreMetrics.Counter?, CoreMetrics.Timer) in
            let dimensions = [("route", route), ("status", String(status))]
            let counter = cached(&requestCounters, "requests \(route) \(status)") {
                CoreMetrics.Counter(label: "dtrn_http_requests_total", dimensions: dimensions, factory: factory)
            }
            let errors = status >= 400 ? cached(&requestCounters, "errors \(route) \(status)") {
                CoreMetrics.Counter(label: "dtrn_http_errors_total", dimensions: dimensions, factory: factory)
            } : nil
            let timer = cached(&durations, route) {
                CoreMetrics.Timer(label: "dtrn_http_request_duration_seconds", dimensions: [("route", route)], factory: factory)
            }
            return (counter, errors, timer)
        }
        counter.increment()
        errors?.increment()
        timer.recordNanoseconds(Int64(clamping: nanoseconds))
    }

    /// Counts a scoring request of `instances` instances.
    func recordScoringRequest(instances: Int) {
        requestInstances.record(instances)
        scoredInstances.increment(by: instances)
    }

    /// Counts one model call over `rows` rows.
    func recordBatch(rows: Int) {
        batchRows.record(rows)
    }

    /// Counts a checkpoint swapped in.
    func recordReload() {
        reloads.increment()
    }

    /// All metrics in Prometheus text format.
    public func prometheusText() -> [UInt8] {
        registry.emitToBuffer()
    }

    private func cached<Metric>(_ cache: inout [String: Metric], _ key: String, make: () -> Metric) -> Metric {
        if let metric = cache[key] { return metric }
        let metric = make()
        cache[key] = metric
        return metric
    }
}
