import ArgumentParser
import Export
import Foundation

/// `dtrn export`: writes a checkpoint's scoring graph as ONNX, with its preprocessing sidecar.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a checkpoint's scoring graph as an ONNX model (opset 17) and its preprocessing as JSON.",
        discussion: """
        The graph's inputs are the model signature (categorical ids INT64 [batch], numerics FLOAT [batch], \
        sequences INT64 [batch, length] left-padded with 0); its outputs one FLOAT [batch] probability per task. \
        The sidecar JSON holds the vocabularies, numeric transforms and sequence lengths. See docs/interop.md.
        """)

    @Option(help: "A checkpoint folder, or a run folder (its best checkpoint).")
    var checkpoint: String

    @Option(help: "The export format (onnx).")
    var format = "onnx"

    @Option(help: "The model file to write.")
    var out: String

    @Option(help: "The preprocessing sidecar to write (default: OUT.json).")
    var sidecar: String?

    func run() throws {
        try reportingErrors {
            guard format == "onnx" else { throw ExportError.unknownFormat(format, known: ["onnx"]) }
            let modelURL = URL(fileURLWithPath: out)
            let sidecarURL = URL(fileURLWithPath: sidecar ?? out + ".json")
            try CheckpointExport.write(checkpoint: checkpoint, model: modelURL, sidecar: sidecarURL)
            FileHandle.standardError.write(Data("wrote \(modelURL.path) and \(sidecarURL.path)\n".utf8))
        }
    }
}
