import Foundation
import HTTPTypes
import Hummingbird

/// The KServe v2 / Open Inference Protocol endpoints, beside the `/v1` ones and sharing their
/// scorer, body limits, JSON errors and metrics:
///
/// - `GET /v2/health/live`, `GET /v2/health/ready`: 200 while the server runs;
/// - `GET /v2`: the server's metadata;
/// - `GET /v2/models/<name>[/versions/<checkpoint>]`: the model's tensors (``ModelSignature``);
/// - `GET /v2/models/<name>[/versions/<checkpoint>]/ready`: 200 when it is served;
/// - `POST /v2/models/<name>[/versions/<checkpoint>]/infer`: scores, one `FP32 [N]` output
///   per task, for the model's tensors or for raw feature rows (``InferenceInputs``).
///
/// `<name>` is ``ServingConfiguration/modelName`` (default: the zoo entry) and the only version
/// is the served checkpoint's id; another name or version is a 404. A bad request is a 400
/// with `{"error": "…"}`; the binary tensor extension is refused with a 400.
struct InferenceEndpoints: Sendable {
    let configuration: ServingConfiguration
    let slot: ModelSlot
    let scorer: BatchScorer
    let metrics: ServingMetrics

    /// Adds the endpoints to `router`.
    func add(to router: Router<BasicRequestContext>) {
        router.get("/v2/health/live") { _, _ in try json(["live": true]) }
        router.get("/v2/health/ready") { _, _ in try json(["ready": true]) }
        router.get("/v2") { _, _ in try json(InferenceMetadata.Server()) }
        for prefix in ["/v2/models/:name", "/v2/models/:name/versions/:version"] {
            router.get(RouterPath(prefix)) { _, context in
                let model = try served(context)
                return try json(InferenceMetadata.Model(model, name: name(of: model)))
            }
            router.get(RouterPath(prefix + "/ready")) { _, context in
                try json(InferenceMetadata.Readiness(name: name(of: try served(context))))
            }
            router.post(RouterPath(prefix + "/infer")) { request, context in try await infer(request, context: context) }
        }
    }

    /// The name the served model answers to.
    private func name(of model: ServedModel) -> String {
        configuration.modelName ?? model.metadata.model
    }

    /// The served model, if the path names it (and, with a version, its checkpoint); else a 404.
    private func served(_ context: BasicRequestContext) throws -> ServedModel {
        let model = slot.current
        let requested = context.parameters.get("name") ?? ""
        guard requested == name(of: model) else {
            throw ServingError(.notFound, "no model '\(requested)'; this server serves '\(name(of: model))'")
        }
        if let version = context.parameters.get("version"), version != model.id {
            throw ServingError(.notFound, "model '\(requested)' has no version '\(version)'; the served version is '\(model.id)'")
        }
        return model
    }

    /// Reads and checks the request, scores its rows in a batch and answers the requested outputs.
    private func infer(_ request: Request, context: BasicRequestContext) async throws -> Response {
        _ = try served(context)
        if let length = request.headers[HTTPField.Name("Inference-Header-Content-Length")!] {
            throw ServingError.badRequest(
                "the binary tensor extension (Inference-Header-Content-Length: \(length)) is not supported; send JSON tensor data")
        }
        var answer: (id: String?, tasks: [Int])?
        let (scores, model) = try await scorer.score {
            let body = try InferenceRequest.decode(try await RequestBodyReader(configuration: configuration).bytes(of: request))
            try refuseBinaryData(body)
            let model = try served(context)
            let rows = try InferenceInputs.rows(of: body, model: model, maxInstances: configuration.maxInstances)
            answer = (body.id, try outputTasks(body.outputs, model: model))
            return (rows, model)
        }
        guard let answer else { throw ServingError.configuration("the request was scored unread") }
        metrics.recordScoringRequest(instances: scores.count / max(1, model.taskCount))
        let text = InferenceResponse.json(scores: scores, model: model, name: name(of: model), id: answer.id, tasks: answer.tasks)
        return Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// Refuses a request that asks for binary tensor data in its inputs or outputs.
    private func refuseBinaryData(_ request: InferenceRequest) throws(ServingError) {
        let unsupported = "is not supported; send and ask for JSON tensor data"
        if request.parameters?["binary_data_output"] == .bool(true) {
            throw .badRequest("binary_data_output (the binary tensor extension) \(unsupported)")
        }
        if let input = request.inputs.first(where: { $0.parameters?["binary_data_size"] != nil }) {
            throw .badRequest("input '\(input.name)': binary_data_size (the binary tensor extension) \(unsupported)")
        }
        if let output = request.outputs?.first(where: { $0.parameters?["binary_data"] == .bool(true) }) {
            throw .badRequest("output '\(output.name)': binary_data (the binary tensor extension) \(unsupported)")
        }
    }

    /// The task indices of the requested outputs, in the order asked; nil: every task.
    private func outputTasks(_ outputs: [InferenceRequest.RequestedOutput]?, model: ServedModel) throws(ServingError) -> [Int] {
        let names = model.signature.outputs.map(\.name)
        guard let outputs else { return Array(names.indices) }
        return try outputs.map { output throws(ServingError) in
            guard let task = names.firstIndex(of: output.name) else {
                throw .badRequest("unknown output '\(output.name)'; the outputs are \(names.joined(separator: ", "))")
            }
            return task
        }
    }
}
