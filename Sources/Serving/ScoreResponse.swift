/// The body of a `POST /v1/score` answer:
/// `{"checkpoint": "<id>", "predictions": [{"<task>": score, …}, …]}`, one object per
/// instance in the request's order, tasks in the model's order.
///
/// Scores are written as Swift prints a `Float` — the shortest decimal that reads back as the
/// same `Float`, as `dtrn predict` writes them — so that parsing one gives the model's bits.
enum ScoreResponse {
    /// The JSON text for `scores` (`[instances × tasks]` row-major) of `model`.
    static func json(scores: [Float], model: ServedModel) -> String {
        let tasks = model.taskCount
        var text = #"{"checkpoint":"# + model.idLiteral + #","predictions":["#
        text.reserveCapacity(text.utf8.count + scores.count * 24)
        for instance in 0..<(tasks == 0 ? 0 : scores.count / tasks) {
            text += instance == 0 ? "{" : ",{"
            for task in 0..<tasks {
                let score = scores[instance * tasks + task]
                text += (task == 0 ? "" : ",") + model.taskKeys[task] + ":" + (score.isFinite ? "\(score)" : "null")
            }
            text += "}"
        }
        return text + "]}"
    }
}
