/// The body of a KServe v2 infer answer:
/// `{"model_name", "model_version", "id", "outputs": [{"name", "datatype": "FP32", "shape": [N], "data": […]}]}`,
/// one output per requested task (all tasks when none is asked for), rows in the request's
/// order; `id` only when the request had one.
///
/// Scores are written as Swift prints a `Float` — the shortest decimal that reads back as the
/// same `Float`, as `dtrn predict` writes them.
enum InferenceResponse {
    /// The JSON text for `scores` (`[rows × tasks]` row-major) of `model`, answering request
    /// `id` to model `name` with the outputs of the task indices `tasks`.
    static func json(scores: [Float], model: ServedModel, name: String, id: String?, tasks: [Int]) -> String {
        let taskCount = model.taskCount
        let rows = taskCount == 0 ? 0 : scores.count / taskCount
        var text = #"{"model_name":"# + InferenceMetadata.literal(name) + #","model_version":"# + model.idLiteral
        text.reserveCapacity(text.utf8.count + scores.count * 12 + tasks.count * 64)
        if let id { text += #","id":"# + InferenceMetadata.literal(id) }
        text += #","outputs":["#
        for (position, task) in tasks.enumerated() {
            text += (position == 0 ? "" : ",") + #"{"name":"# + model.taskKeys[task]
                + #","datatype":"FP32","shape":["# + String(rows) + #"],"data":["#
            for row in 0..<rows {
                let score = scores[row * taskCount + task]
                text += (row == 0 ? "" : ",") + (score.isFinite ? "\(score)" : "null")
            }
            text += "]}"
        }
        return text + "]}"
    }
}
