import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Serving
import XCTest

/// Bad KServe v2 requests are answered with the protocol's JSON error `{"error": "…"}` and
/// a 400 (a 404 for a model or version not served, a 413 beyond the limits), and the server
/// keeps serving afterwards.
final class InferenceProtocolErrorTests: XCTestCase {
    private let shop = ServingFixtures.shop
    private static let good = #"{"inputs": [{"name": "user", "datatype": "BYTES", "shape": [1], "data": ["u1"]}]}"#

    /// The status and error of `body` posted to `path`, checking that a good request after it succeeds.
    private func refusal(
        _ body: String, path: String = "/v2/models/mmoe/infer", headers: HTTPFields = [:],
        configure: (inout ServingConfiguration) -> Void = { _ in }
    ) async throws -> (status: HTTPResponse.Status, error: String) {
        let (status, error, after) = try await withServer(shop, configure: configure) { client, _ in
            let response = try await client.execute(uri: path, method: .post, headers: headers, body: JSONBody.text(body))
            let error = (try? JSONBody.error(response.body)) ?? String(buffer: response.body)
            let after = try await client.execute(uri: "/v2/models/mmoe/infer", method: .post, body: JSONBody.text(Self.good))
            return (response.status, error, after.status)
        }
        XCTAssertEqual(after, .ok, "the server still serves after: \(error)")
        return (status, error)
    }

    private func assertBadRequest(_ body: String, mentions: String, file: StaticString = #filePath, line: UInt = #line) async throws {
        let (status, error) = try await refusal(body)
        XCTAssertEqual(status, .badRequest, error, file: file, line: line)
        XCTAssertTrue(error.contains(mentions), "'\(error)' does not mention '\(mentions)'", file: file, line: line)
    }

    func testAnUnknownModelOrVersionIsA404() async throws {
        let (model, version, metadata) = try await withServer(shop) { client, _ in
            (try await client.execute(uri: "/v2/models/other/infer", method: .post, body: JSONBody.text(Self.good)),
             try await client.execute(uri: "/v2/models/mmoe/versions/nope/infer", method: .post, body: JSONBody.text(Self.good)),
             try await client.execute(uri: "/v2/models/other", method: .get))
        }
        XCTAssertEqual(model.status, .notFound)
        XCTAssertTrue(try JSONBody.error(model.body).contains("no model 'other'"))
        XCTAssertEqual(version.status, .notFound)
        XCTAssertTrue(try JSONBody.error(version.body).contains("no version 'nope'"))
        XCTAssertEqual(metadata.status, .notFound)
    }

    func testMalformedJSONNamesWhereItGoesWrong() async throws {
        try await assertBadRequest(#"{"inputs": [{"name": "user""#, mentions: "malformed JSON")
        try await assertBadRequest("", mentions: "an empty body")
        try await assertBadRequest(#"{"inputs": [{"name": "user", "datatype": "BYTES", "data": ["u1"]}]}"#,
                                   mentions: "missing 'shape' in 'inputs[0]'")
        try await assertBadRequest(#"{"inputs": [{"name": "age", "datatype": "FP32", "shape": [2], "data": [1, "x"]}]}"#,
                                   mentions: "inputs[0].data")
    }

    func testTensorInputsThatDoNotFitTheSignatureAreRefused() async throws {
        let tensors = { (edit: String) in
            #"{"inputs": [{"name": "user", "datatype": "INT64", "shape": [1], "data": [1]},"#
                + #" {"name": "item", "datatype": "INT64", "shape": [1], "data": [2]},"#
                + #" {"name": "price", "datatype": "FP32", "shape": [1], "data": [0.5]},"#
                + edit + "]}"
        }
        let history = #"{"name": "history", "datatype": "INT64", "shape": [1, 4], "data": [0, 0, 3, 4]}"#
        try await assertBadRequest(tensors(#"{"name": "age", "datatype": "FP32", "shape": [1], "data": [1]}"#),
                                   mentions: "missing input 'history'")
        try await assertBadRequest(tensors(#"{"name": "age", "datatype": "INT64", "shape": [1], "data": [1]}, "# + history),
                                   mentions: "input 'age' has datatype INT64; the model takes FP32")
        try await assertBadRequest(tensors(#"{"name": "age", "datatype": "FP64", "shape": [1], "data": [1]}, "# + history),
                                   mentions: "datatype 'FP64'")
        try await assertBadRequest(
            tensors(#"{"name": "age", "datatype": "FP32", "shape": [1], "data": [1]}, "#
                + #"{"name": "history", "datatype": "INT64", "shape": [1, 3], "data": [0, 3, 4]}"#),
            mentions: "input 'history' has shape [1, 3]; the model takes [-1, 4]")
        try await assertBadRequest(
            tensors(#"{"name": "age", "datatype": "FP32", "shape": [1], "data": [1]}, "#
                + #"{"name": "history", "datatype": "INT64", "shape": [1, 4], "data": [0, 0, 3, 99999]}"#),
            mentions: "outside the vocabulary")
        try await assertBadRequest(tensors(#"{"name": "age", "datatype": "FP32", "shape": [2], "data": [1]}, "# + history),
                                   mentions: "input 'age' has 1 values; its shape [2] needs 2")
        try await assertBadRequest(tensors(#"{"name": "age", "datatype": "FP32", "shape": [2], "data": [1, 2]}, "# + history),
                                   mentions: "input 'age' has 2 rows but input 'user' has 1")
        try await assertBadRequest(tensors(#"{"name": "ages", "datatype": "FP32", "shape": [1], "data": [1]}, "# + history),
                                   mentions: "unknown input 'ages'")
    }

    func testMixedFormsAndBadRawValuesAreRefused() async throws {
        try await assertBadRequest(
            #"{"inputs": [{"name": "user", "datatype": "BYTES", "shape": [1], "data": ["u1"]},"#
                + #" {"name": "age", "datatype": "FP32", "shape": [1], "data": [30]}]}"#,
            mentions: "send either raw rows (every input BYTES) or the model's tensors (none BYTES)")
        try await assertBadRequest(#"{"inputs": [{"name": "age", "datatype": "BYTES", "shape": [2], "data": ["30", "abc"]}]}"#,
                                   mentions: "instance 1: feature 'age'")
        try await assertBadRequest(#"{"inputs": [{"name": "colour", "datatype": "BYTES", "shape": [1], "data": ["red"]}]}"#,
                                   mentions: "unknown feature 'colour'")
        try await assertBadRequest(#"{"inputs": [{"name": "user", "datatype": "BYTES", "shape": [1, 1], "data": [["u1"]]}]}"#,
                                   mentions: "raw feature columns are BYTES [N]")
        try await assertBadRequest(#"{"inputs": []}"#, mentions: "no inputs")
    }

    func testUnknownOutputsAndTheBinaryExtensionAreRefused() async throws {
        let inputs = #""inputs": [{"name": "user", "datatype": "BYTES", "shape": [1], "data": ["u1"]}]"#
        try await assertBadRequest("{" + inputs + #", "outputs": [{"name": "view"}]}"#, mentions: "unknown output 'view'")
        try await assertBadRequest("{" + inputs + #", "parameters": {"binary_data_output": true}}"#, mentions: "binary_data_output")
        try await assertBadRequest("{" + inputs + #", "outputs": [{"name": "click", "parameters": {"binary_data": true}}]}"#,
                                   mentions: "binary_data")
        let (status, error) = try await refusal(Self.good, headers: [HTTPField.Name("Inference-Header-Content-Length")!: "80"])
        XCTAssertEqual(status, .badRequest)
        XCTAssertTrue(error.contains("binary tensor extension"), error)
    }

    func testRowsAndBodiesBeyondTheLimitsAreA413() async throws {
        let rows = #"{"inputs": [{"name": "user", "datatype": "BYTES", "shape": [3], "data": ["u1", "u2", "u3"]}]}"#
        let (status, error) = try await refusal(rows, configure: { $0.maxInstances = 2 })
        XCTAssertEqual(status, .contentTooLarge)
        XCTAssertTrue(error.contains("3 rows, more than the limit of 2"), error)
        let users = (0..<40).map { "\"u\($0)\"" }.joined(separator: ", ")
        let long = #"{"inputs": [{"name": "user", "datatype": "BYTES", "shape": [40], "data": ["# + users + "]}]}"
        let (bodyStatus, bodyError) = try await refusal(long, configure: { $0.maxBodyBytes = 200 })
        XCTAssertEqual(bodyStatus, .contentTooLarge)
        XCTAssertTrue(bodyError.contains("more than the limit of 200"), bodyError)
    }
}
