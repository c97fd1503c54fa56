import Foundation
import Training

/// What the KServe v2 metadata endpoints answer.
enum InferenceMetadata {
    /// `GET /v2`: the server's name, version and protocol extensions (none).
    struct Server: Encodable {
        /// `dtrn`.
        var name = "dtrn"
        /// The checkpoint format version the server reads.
        var version = String(Checkpoint.formatVersion)
        /// The protocol extensions supported.
        var extensions: [String] = []
    }

    /// One tensor of a model's metadata.
    struct Tensor: Encodable {
        /// Its name.
        var name: String
        /// Its datatype (`INT64`, `FP32`).
        var datatype: String
        /// Its shape, `-1` for the batch dimension.
        var shape: [Int]
    }

    /// `GET /v2/models/<name>`: the model's name, its one version (the checkpoint id), its
    /// platform and its tensors (``ModelSignature``).
    struct Model: Encodable {
        /// The served name.
        var name: String
        /// The served checkpoint's id.
        var versions: [String]
        /// `dtrn_<zoo entry>`, e.g. `dtrn_mmoe`.
        var platform: String
        /// The model's input tensors.
        var inputs: [Tensor]
        /// One output per task.
        var outputs: [Tensor]

        /// The metadata of `model` served as `name`.
        init(_ model: ServedModel, name: String) {
            self.name = name
            versions = [model.id]
            platform = "dtrn_" + model.metadata.model
            inputs = model.signature.inputs.map { Tensor(name: $0.name, datatype: $0.dataType.rawValue, shape: $0.shape) }
            outputs = model.signature.outputs.map { Tensor(name: $0.name, datatype: $0.dataType.rawValue, shape: $0.shape) }
        }
    }

    /// `GET /v2/models/<name>/ready`.
    struct Readiness: Encodable {
        /// The served name.
        var name: String
        /// Always true: a served model is loaded.
        var ready = true
    }

    /// `text` as a JSON string literal (quoted and escaped).
    static func literal(_ text: String) -> String {
        (try? JSONEncoder().encode(text)).map { String(decoding: $0, as: UTF8.self) } ?? #""""#
    }
}
