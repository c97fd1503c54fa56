import Foundation
import Training

/// What `dtrn export` writes for a checkpoint: its scoring graph as ONNX and, beside it, the
/// preprocessing sidecar of the checkpoint's vocabularies and transforms.
public enum CheckpointExport {
    /// Exports `checkpoint` (a checkpoint folder, or a run folder: its best checkpoint) to the
    /// ONNX file `model` and the sidecar JSON `sidecar`, both written atomically.
    public static func write(checkpoint: String, model modelURL: URL, sidecar sidecarURL: URL) throws {
        let folder = try RunDirectory.resolveCheckpoint(checkpoint)
        let saved = try Checkpoint.read(folder)
        let model = try saved.loadModel(from: folder)
        try ONNXExporter.write(model, to: modelURL)
        try PreprocessingSidecar(layout: model.layout, encoder: saved.encoder).write(to: sidecarURL)
    }
}
