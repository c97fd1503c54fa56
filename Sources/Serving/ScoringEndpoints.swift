import Foundation
import Hummingbird
import RecData

/// The HTTP endpoints:
///
/// - `POST /v1/score`: `{"instances": [{…}, …]}` → per instance, a score per task;
/// - `GET /v1/model`: the model, tasks, fields and checkpoint served (``ModelDescription``);
/// - `GET /healthz`: `{"status": "ok", "checkpoint": "<id>"}`;
/// - `GET /metrics`: the ``ServingMetrics`` in Prometheus text format;
/// - `POST /v1/reload`: swaps in the checkpoint now at the server's path (``ModelSlot``);
/// - `/v2/…`: the KServe v2 / Open Inference Protocol (``InferenceEndpoints``).
struct ScoringEndpoints: Sendable {
    let configuration: ServingConfiguration
    let slot: ModelSlot
    let scorer: BatchScorer
    let metrics: ServingMetrics

    /// A router serving the endpoints, with JSON errors and request metrics on every route.
    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: RequestMetricsMiddleware(metrics: metrics))
        router.add(middleware: ErrorResponseMiddleware())
        router.post("/v1/score") { request, _ in try await score(request) }
        router.get("/v1/model") { _, _ in try json(slot.current.metadata) }
        router.get("/healthz") { _, _ in try json(["status": "ok", "checkpoint": slot.current.id]) }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.prometheusText())))
        }
        router.post("/v1/reload") { _, _ in
            do {
                return try json(try await slot.reload())
            } catch {
                throw ServingError.configuration("reload failed, still serving \(slot.current.id): \(error)")
            }
        }
        InferenceEndpoints(configuration: configuration, slot: slot, scorer: scorer, metrics: metrics).add(to: router)
        return router
    }

    /// Decodes, checks and encodes the instances, scores them in a batch and answers in order.
    private func score(_ request: Request) async throws -> Response {
        let (scores, model) = try await scorer.score {
            let instances = try await instances(of: request)
            let model = slot.current
            return (try model.instances.encode(instances), model)
        }
        metrics.recordScoringRequest(instances: scores.count / max(1, model.taskCount))
        return Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: ScoreResponse.json(scores: scores, model: model))))
    }

    /// The instances of a request's body, within the size limits.
    private func instances(of request: Request) async throws -> [[String: RawValue]] {
        let instances = try ScoreRequest.instances(in: try await RequestBodyReader(configuration: configuration).bytes(of: request))
        guard instances.count <= configuration.maxInstances else {
            throw ServingError.tooLarge(
                "\(instances.count) instances, more than the limit of \(configuration.maxInstances) per request")
        }
        return instances
    }
}
