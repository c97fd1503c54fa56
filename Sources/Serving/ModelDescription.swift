import RecData
import Tensor
import Training

/// What `GET /v1/model` answers: the model, its tasks, the fields a request may give and
/// the checkpoint being served.
public struct ModelDescription: Codable, Sendable, Equatable {
    /// A feature a request may give.
    public struct Field: Codable, Sendable, Equatable {
        /// The key in an instance.
        public var name: String
        /// `categorical`, `numeric` or `sequence`.
        public var kind: FeatureKind
        /// The embedding rows of a categorical or sequence field (ids 0 missing, 1 unseen).
        public var vocabularySize: Int?
        /// The newest items a sequence keeps.
        public var maxLength: Int?
    }

    /// A task scored per instance.
    public struct Task: Codable, Sendable, Equatable {
        /// The key in a prediction.
        public var name: String
        /// `binary` (a probability) or `regression` (a value).
        public var kind: TaskKind
    }

    /// The checkpoint served.
    public struct CheckpointInfo: Codable, Sendable, Equatable {
        /// Its unique id.
        public var id: String
        /// When training wrote it (ISO 8601).
        public var createdAt: String
        /// Its folder.
        public var path: String
        /// The training epochs behind it.
        public var epoch: Int
    }

    /// The zoo entry (`dtrn`, `mmoe`, …).
    public var model: String
    /// The multi-task part under DTRN's bottom.
    public var backbone: String
    /// The dataset it was trained on.
    public var dataset: String
    /// Whether instances carry raw values encoded with the checkpoint's vocabularies and
    /// transforms (true) or ids and numbers taken as they are (false, e.g. synthetic data).
    public var rawInputs: Bool
    /// The tasks, in prediction order.
    public var tasks: [Task]
    /// The features, categorical then numeric then sequences.
    public var fields: [Field]
    /// The checkpoint.
    public var checkpoint: CheckpointInfo
    /// The operands of the server's matrix products (`dtrn serve --precision`).
    public var precision: MatrixPrecision

    /// The description of `checkpoint`, read from folder `folder`.
    public init(_ checkpoint: Checkpoint, folder: String) {
        model = checkpoint.model.model
        backbone = checkpoint.model.backbone
        dataset = checkpoint.schema.name
        rawInputs = checkpoint.encoder != nil
        tasks = checkpoint.schema.tasks.map { Task(name: $0.name, kind: $0.kind) }
        fields = checkpoint.schema.categorical.map { Field(name: $0.name, kind: .categorical, vocabularySize: $0.vocabularySize) }
            + checkpoint.schema.numeric.map { Field(name: $0.name, kind: .numeric) }
            + checkpoint.schema.sequences.map {
                Field(name: $0.name, kind: .sequence, vocabularySize: $0.vocabularySize, maxLength: $0.maxLength)
            }
        self.checkpoint = CheckpointInfo(
            id: checkpoint.id, createdAt: checkpoint.createdAt, path: folder, epoch: checkpoint.progress.epoch)
        precision = Gemm.precision
    }
}
