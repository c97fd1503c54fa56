import Hummingbird

/// Answers every failure with a JSON body `{"error": "…"}`: a ``ServingError`` with its own
/// status and message, another HTTP error (such as an unknown route) with its status, and
/// anything else with a 500 — so that no request is left without an answer it can parse.
struct ErrorResponseMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as ServingError {
            return error.response
        } catch let error as any HTTPResponseError {
            let message = error.status == .notFound
                ? "no endpoint \(request.method) \(request.uri.path) (see GET /v1/model, POST /v1/score, "
                    + "GET /v2/models/<name>, POST /v2/models/<name>/infer, GET /v2/health/ready)"
                : error.status.reasonPhrase
            return ServingError.response(status: error.status, message: message)
        } catch {
            return ServingError.response(status: .internalServerError, message: "internal error: \(error)")
        }
    }
}
