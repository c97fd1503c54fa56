import Foundation
import Models
import RecData
import Training

/// One checkpoint loaded for serving: its description, the encoder of its instances and the
/// model in inference mode.
///
/// Encoding and describing are safe from any thread. The model itself is not (its modules
/// keep per-call state), so ``predict(_:)`` is called only by the ``BatchScorer``'s single
/// worker thread.
public final class ServedModel: @unchecked Sendable {
    /// The checkpoint's unique id.
    public let id: String
    /// What `GET /v1/model` shows.
    public let metadata: ModelDescription
    /// Turns instances into model inputs.
    public let instances: InstanceEncoder
    /// The model's inputs as the model reads them.
    public let layout: FeatureLayout
    /// The model's named input and output tensors (the KServe v2 metadata).
    public let signature: ModelSignature
    /// The id as a JSON string literal (quoted and escaped).
    let idLiteral: String
    /// The task names, in prediction order, as JSON string literals.
    let taskKeys: [String]
    private let predictor: Predictor

    /// The model of `checkpoint`, read from its folder `folder`.
    public init(checkpoint: Checkpoint, folder: URL, unknownFields: ServingConfiguration.UnknownFieldPolicy) throws {
        id = checkpoint.id
        metadata = ModelDescription(checkpoint, folder: folder.path)
        instances = InstanceEncoder(schema: checkpoint.schema, encoder: checkpoint.encoder, unknownFields: unknownFields)
        idLiteral = try Self.jsonLiteral(checkpoint.id)
        taskKeys = try checkpoint.schema.tasks.map { try Self.jsonLiteral($0.name) }
        let model = try checkpoint.loadModel(from: folder)
        layout = model.layout
        signature = ModelSignature(layout: model.layout)
        predictor = Predictor(model: model, schema: checkpoint.schema)
    }

    private static func jsonLiteral(_ text: String) throws -> String {
        String(decoding: try JSONEncoder().encode(text), as: UTF8.self)
    }

    /// The number of tasks, i.e. scores per instance.
    public var taskCount: Int { taskKeys.count }

    /// The scores of `rows`, `[rows.count × tasks]` row-major. Called from one thread only.
    func predict(_ rows: [EncodedRow]) -> [Float] {
        predictor.predict(rows)
    }
}
