import Foundation
import Models
import NN
import SwiftProtobuf

/// Exports a zoo model's scoring graph to ONNX: the inputs and outputs of
/// ``ModelSignature`` (`INT64`/`FLOAT`, batch dimension `"batch"`), the inference forward in
/// evaluation mode (dropout off, batch norm with running statistics), and one probability
/// (or regression value) `[batch]` per task.
public enum ONNXExporter {
    /// The ONNX model of `model`; switches the model to evaluation mode.
    public static func export(_ model: MultiTaskModel, name: String = "dtrn") throws(ExportError) -> Onnx_ModelProto {
        model.eval()
        let signature = ModelSignature(layout: model.layout)
        let builder = ONNXGraphBuilder(name: name)
        for input in signature.inputs {
            builder.addInput(input.name, type: input.dataType == .int64 ? .int64 : .float, shape: input.shape)
        }
        let (scores, areProbabilities) = try builder.scores(model, signature: signature)
        for ((output, score), task) in zip(zip(signature.outputs, scores), model.layout.tasks) {
            let probability = areProbabilities || task.kind == .regression ? score : builder.sigmoid(score)
            builder.addOutput(output.name, from: builder.reshape(probability, [-1]), type: .float, shape: output.shape)
        }
        return builder.model(producer: "dtrn", docString: "scoring graph of a \(type(of: model)) over \(model.layout.tasks.count) task(s)")
    }

    /// Writes `model`'s ONNX graph to `url`, atomically.
    public static func write(_ model: MultiTaskModel, to url: URL) throws {
        try AtomicFile.write(try export(model).serializedData(), to: url)
    }
}
