import Foundation
@testable import Serving
import XCTest

/// The hand-written reader of v2 infer bodies reads the common form exactly as `JSONDecoder`
/// does, and leaves every other body to the decoder (whose located errors are kept).
final class InferenceRequestReaderTests: XCTestCase {
    private func decoded(_ json: String) throws -> InferenceRequest {
        try JSONDecoder().decode(InferenceRequest.self, from: Data(json.utf8))
    }

    private func read(_ json: String) -> InferenceRequest? {
        InferenceRequestReader.read(Array(json.utf8))
    }

    /// A readable account of every field, to compare two requests.
    private func account(_ request: InferenceRequest) -> [String] {
        func parameters(_ p: [String: InferenceRequest.Parameter]?) -> String {
            p.map { $0.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",") } ?? "nil"
        }
        var lines = ["id \(request.id ?? "nil")", "parameters \(parameters(request.parameters))"]
        for input in request.inputs {
            let data = switch input.data {
            case .int64(let values): "int64 \(values)"
            case .float32(let values): "float32 \(values.map(\.bitPattern))"
            case .bytes(let values): "bytes \(values)"
            }
            lines.append("input \(input.name) \(input.shape) \(input.datatype) \(parameters(input.parameters)) \(data)")
        }
        for output in request.outputs ?? [] { lines.append("output \(output.name) \(parameters(output.parameters))") }
        lines.append("outputs \(request.outputs == nil ? "absent" : "given")")
        return lines
    }

    func testReadsTheCommonFormAsJSONDecoderDoes() throws {
        let bodies = [
            #"{"inputs": [{"name": "user", "datatype": "BYTES", "shape": [2], "data": ["u1", " é 😀"]}]}"#,
            #" {"id": "r1", "parameters": {"a": 1.5, "b": true, "c": "x", "d": false}, "inputs": [{"name": "age", "shape": [2, 1], "#
                + #""datatype": "FP32", "parameters": {}, "data": [[-0.1], [3e2]]}, {"name": "ids", "shape": [3], "datatype": "INT64", "#
                + #""data": [0, -9223372036854775808, 9223372036854775807]}], "outputs": [{"name": "click"}, {"name": "buy", "parameters": {"k": 2}}]} "#,
            "{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":1}],\n\t\"outputs\":[]}\r\n",
            #"{"inputs": [{"name": "s", "shape": [1, 2], "datatype": "INT64", "data": [[1, 2]]}], "id": ""}"#,
            #"{"inputs": [{"name": "f", "shape": [3], "datatype": "FP32", "data": [0.1, 1.7976931348623157e308, 5e-324]}]}"#,
            #"{"inputs": []}"#,
        ]
        for body in bodies {
            let fast = try XCTUnwrap(read(body), "the common form was not read: \(body)")
            XCTAssertEqual(account(fast), account(try decoded(body)), body)
        }
    }

    /// `0e2` is valid JSON (RFC 8259) that Foundation's parser on Linux refuses; the reader reads it
    /// (the input Fuzz/Crashes/infer-request-zero-exponent.json).
    func testReadsAZeroWithAnExponent() throws {
        let body = #"{"inputs": [{"name": "age", "shape": [3], "datatype": "FP32", "data": [0e2, 0E-1, 1.5e0]}]}"#
        let request = try InferenceRequest.decode(Array(body.utf8))
        XCTAssertEqual(request.inputs.first?.data, .float32([0, 0, 1.5]))
    }

    func testLeavesEveryOtherBodyToTheDecoder() {
        let bodies = [
            "",
            #"{"inputs": [{"name": "user", "datatype": "BYTES", "shape": [1], "data": ["u\"1"]}]}"#,
            #"{"inputs": [{"name": "user", "data": ["u1"], "datatype": "BYTES", "shape": [1]}]}"#,
            #"{"inputs": [{"name": "user", "datatype": "BYTES", "shape": [1], "data": ["u1"], "extra": 1}]}"#,
            #"{"inputs": [], "inputs": []}"#,
            #"{"inputs": [{"name": "n", "datatype": "INT64", "shape": [1], "data": [1.0]}]}"#,
            #"{"inputs": [{"name": "n", "datatype": "INT64", "shape": [1], "data": [01]}]}"#,
            #"{"inputs": [{"name": "n", "datatype": "INT64", "shape": [1], "data": [9223372036854775808]}]}"#,
            #"{"inputs": [{"name": "n", "datatype": "FP32", "shape": [1], "data": [1e999]}]}"#,
            #"{"inputs": [{"name": "n", "datatype": "FP32", "shape": [1], "data": [1e-400]}]}"#,
            #"{"inputs": [{"name": "n", "datatype": "FP32", "shape": [1], "data": [1e-372036854775808]}]}"#,
            #"{"inputs": [{"name": "n", "datatype": "FP64", "shape": [1], "data": [1]}]}"#,
            #"{"inputs": [{"name": "n", "datatype": "FP32", "shape": [1], "data": [1, "x"]}]}"#,
            #"{"inputs": [{"name": "n", "datatype": "FP32", "shape": [1], "data": [[[[[[[[[[1]]]]]]]]]]}]}"#,
            #"{"id": null, "inputs": []}"#,
            #"{"inputs": []} x"#,
            #"{"inputs": [{"name": "user", "datatype": "BYTES", "shape": [1]"#,
            #"{"outputs": []}"#,
            #"[]"#,
        ]
        for body in bodies {
            XCTAssertNil(read(body), body)
        }
    }
}
