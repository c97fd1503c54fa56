import Dispatch
import Hummingbird

/// Counts every request by route and status and records its latency in ``ServingMetrics``.
/// It sits outside ``ErrorResponseMiddleware``, so it sees failures as the responses sent.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServingMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = DispatchTime.now().uptimeNanoseconds
        let response = try await next(request, context)
        metrics.recordRequest(
            route: ServingMetrics.route(of: request.uri.path), status: response.status.code,
            nanoseconds: DispatchTime.now().uptimeNanoseconds - started)
        return response
    }
}
