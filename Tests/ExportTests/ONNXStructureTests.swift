import Export
import Foundation
import Models
import SwiftProtobuf
import XCTest

/// The exported file, read back with SwiftProtobuf alone: the signature's inputs and outputs,
/// a dynamic batch dimension and opset 17 or later.
final class ONNXStructureTests: XCTestCase {
    func testEveryModelDecodesWithTheSignature() throws {
        for (name, config) in allExportConfigs {
            for base in [sequenceLayout, censusLikeLayout] {
                let layout = layout(base, for: config)
                let model = try ModelZoo.make(config, layout: layout, seed: 5)
                let decoded = try Onnx_ModelProto(serializedBytes: try ONNXExporter.export(model).serializedData())
                let signature = ModelSignature(layout: layout)
                XCTAssertGreaterThanOrEqual(decoded.opsetImport.first { $0.domain.isEmpty }?.version ?? 0, 17, name)
                XCTAssertEqual(decoded.graph.input.map(\.name), signature.inputs.map(\.name), name)
                XCTAssertEqual(decoded.graph.output.map(\.name), signature.outputs.map(\.name), name)
                for (info, spec) in zip(decoded.graph.input, signature.inputs) {
                    let tensor = info.type.tensorType
                    let expectedType: Onnx_TensorProto.DataType = spec.dataType == .int64 ? .int64 : .float
                    XCTAssertEqual(tensor.elemType, Int32(expectedType.rawValue), "\(name) \(spec.name)")
                    XCTAssertEqual(tensor.shape.dim.first?.dimParam, "batch", "\(name) \(spec.name)")
                    XCTAssertEqual(tensor.shape.dim.dropFirst().map { Int($0.dimValue) }, Array(spec.shape.dropFirst()))
                }
                XCTAssertGreaterThan(decoded.graph.initializer.count, 0, name)
            }
        }
    }

    func testUnknownFormatIsAClearError() {
        XCTAssertEqual(ExportError.unknownFormat("tflite", known: ["onnx"]).description,
                       "unknown export format 'tflite'; known formats: onnx")
    }
}
