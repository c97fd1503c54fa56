import Export
import Foundation
import Models
import SwiftProtobuf
import XCTest

/// The exported file decodes with SwiftProtobuf and declares the model signature, with no
/// Python involved.
final class ONNXStructureTests: XCTestCase {
    func testExportedGraphDeclaresTheSignature() throws {
        let model = try ModelZoo.make(tinyConfig("dtrn", backbone: "ple"), layout: tinyLayout, seed: 3)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("structure-\(UUID().uuidString).onnx")
        defer { try? FileManager.default.removeItem(at: url) }
        try ONNXExporter.write(model, to: url)
        let decoded = try Onnx_ModelProto(serializedBytes: try Data(contentsOf: url))
        XCTAssertGreaterThanOrEqual(decoded.opsetImport.first { $0.domain.isEmpty }?.version ?? 0, 17)
        let signature = ModelSignature(layout: tinyLayout)
        XCTAssertEqual(decoded.graph.input.map(\.name), ["user", "item", "price", "clicks", "buys"])
        XCTAssertEqual(decoded.graph.output.map(\.name), ["click", "like", "buy"])
        for (info, spec) in zip(decoded.graph.input + decoded.graph.output, signature.inputs + signature.outputs) {
            let tensor = info.type.tensorType
            let expected: Onnx_TensorProto.DataType = spec.dataType == .int64 ? .int64 : .float
            XCTAssertEqual(tensor.elemType, Int32(expected.rawValue), info.name)
            XCTAssertEqual(tensor.shape.dim.map { $0.dimParam.isEmpty ? String($0.dimValue) : $0.dimParam },
                           spec.shape.map { $0 < 0 ? "batch" : String($0) }, info.name)
        }
        // Weights are stored: the item table (7 × 4 floats) is among the initializers.
        XCTAssertTrue(decoded.graph.initializer.contains { $0.dims == [7, 4] && $0.rawData.count == 7 * 4 * 4 })
    }

    func testSidecarCarriesTheSignatureAndTasks() throws {
        let sidecar = PreprocessingSidecar(layout: censusLikeLayout, encoder: nil)
        XCTAssertEqual(sidecar.signature, ModelSignature(layout: censusLikeLayout))
        XCTAssertEqual(sidecar.categorical.map(\.vocabularySize), [9, 6])
        XCTAssertEqual(sidecar.numeric.map(\.missing), ["0", "0"])
        XCTAssertEqual(sidecar.tasks.map(\.name), ["income", "marital"])
    }
}
