import Foundation
import Hummingbird
import HummingbirdTesting
import Models
import RecData
import Serving
import Training
import XCTest

/// The KServe v2 / Open Inference Protocol endpoints of a live server: health, metadata,
/// inference with the model's tensors and with raw rows, against `dtrn predict`'s scores.
final class InferenceProtocolTests: XCTestCase {
    /// The request body for `inputs` (`name`, `datatype`, `shape`, `data`) and extra top-level fields.
    private static func inferBody(_ inputs: [[String: Any]], extra: [String: Any] = [:]) -> ByteBuffer {
        var object = extra
        object["inputs"] = inputs
        return ByteBuffer(bytes: try! JSONSerialization.data(withJSONObject: object))
    }

    /// `shop` instances as a CSV file would carry them: numbers as text, histories `|`-joined.
    private static func shopRows(_ instances: [[String: RawValue]]) -> [[String: String]] {
        instances.map { instance in
            instance.mapValues { value -> String in
                switch value {
                case .string(let text): text
                case .number(let number): RawValue.text(of: number)
                case .list(let items): items.joined(separator: "|")
                case .missing: ""
                }
            }
        }
    }

    /// The model's tensors for `synthetic` instances (ids and numbers as they are): ids
    /// `INT64 [N]`, numbers `FP32 [N]`, sequences `INT64 [N, length]` left-padded with 0.
    private static func tensorInputs(_ instances: [[String: RawValue]], signature: ModelSignature) -> [[String: Any]] {
        signature.inputs.map { spec -> [String: Any] in
            let data: [Any]
            switch spec.role {
            case .sequence:
                let length = spec.shape[1]
                data = instances.flatMap { instance -> [Int] in
                    guard case .list(let items) = instance[spec.name] ?? .missing else { return Array(repeating: 0, count: length) }
                    let kept = items.suffix(length).map { Int($0)! }
                    return Array(repeating: 0, count: length - kept.count) + kept
                }
            case .categorical:
                data = instances.map { instance -> Int in
                    if case .number(let id) = instance[spec.name] ?? .missing { return Int(id) }
                    return 0
                }
            default:
                data = instances.map { instance -> Double in
                    if case .number(let value) = instance[spec.name] ?? .missing { return Double(Float(value)) }
                    return 0
                }
            }
            return ["name": spec.name, "datatype": spec.dataType.rawValue,
                    "shape": spec.role == .sequence ? [instances.count, spec.shape[1]] : [instances.count], "data": data]
        }
    }

    private static func signature(_ fixture: ServingFixtures.Fixture) throws -> (ModelSignature, String) {
        let folder = try RunDirectory.resolveCheckpoint(fixture.run.path)
        let checkpoint = try Checkpoint.read(folder)
        return (ModelSignature(layout: try checkpoint.loadModel(from: folder).layout), checkpoint.id)
    }

    /// The scores of an infer answer, `[rows × outputs]` row-major in the answer's output order.
    private static func scores(_ body: ByteBuffer) throws -> (names: [String], scores: [Float]) {
        let outputs = try XCTUnwrap(try JSONBody.object(body)["outputs"] as? [[String: Any]], String(buffer: body))
        let columns = try outputs.map { output -> [Float] in
            XCTAssertEqual(output["datatype"] as? String, "FP32")
            return try XCTUnwrap(output["data"] as? [Double]).map { Float($0) }
        }
        let rows = columns.first?.count ?? 0
        return (outputs.map { $0["name"] as? String ?? "" }, (0..<rows).flatMap { row in columns.map { $0[row] } })
    }

    func testHealthAndServerMetadata() async throws {
        let (live, ready, server) = try await withServer(ServingFixtures.synthetic) { client, _ in
            (try await client.execute(uri: "/v2/health/live", method: .get),
             try await client.execute(uri: "/v2/health/ready", method: .get),
             try await client.execute(uri: "/v2", method: .get))
        }
        XCTAssertEqual(live.status, .ok)
        XCTAssertEqual(try JSONBody.object(live.body)["live"] as? Bool, true)
        XCTAssertEqual(ready.status, .ok)
        XCTAssertEqual(try JSONBody.object(ready.body)["ready"] as? Bool, true)
        let metadata = try JSONBody.object(server.body)
        XCTAssertEqual(metadata["name"] as? String, "dtrn")
        XCTAssertEqual(metadata["version"] as? String, String(Checkpoint.formatVersion))
        XCTAssertEqual((metadata["extensions"] as? [String])?.count, 0)
    }

    func testModelMetadataListsTheSignatureAndTheCheckpointAsVersion() async throws {
        let fixture = ServingFixtures.shop
        let (signature, id) = try Self.signature(fixture)
        let (metadata, ready, byVersion) = try await withServer(fixture) { client, _ in
            (try await client.execute(uri: "/v2/models/mmoe", method: .get),
             try await client.execute(uri: "/v2/models/mmoe/ready", method: .get),
             try await client.execute(uri: "/v2/models/mmoe/versions/\(id)", method: .get))
        }
        XCTAssertEqual(metadata.status, .ok)
        XCTAssertEqual(ready.status, .ok)
        XCTAssertEqual(byVersion.status, .ok)
        let object = try JSONBody.object(metadata.body)
        XCTAssertEqual(object["name"] as? String, "mmoe")
        XCTAssertEqual(object["versions"] as? [String], [id])
        XCTAssertEqual(object["platform"] as? String, "dtrn_mmoe")
        let inputs = try XCTUnwrap(object["inputs"] as? [[String: Any]])
        XCTAssertEqual(inputs.compactMap { $0["name"] as? String }, ["user", "item", "price", "age", "history"])
        XCTAssertEqual(inputs.compactMap { $0["datatype"] as? String }, ["INT64", "INT64", "FP32", "FP32", "INT64"])
        XCTAssertEqual(inputs.compactMap { $0["shape"] as? [Int] }, [[-1], [-1], [-1], [-1], [-1, 4]])
        XCTAssertEqual(inputs.compactMap { $0["shape"] as? [Int] }, signature.inputs.map(\.shape))
        let outputs = try XCTUnwrap(object["outputs"] as? [[String: Any]])
        XCTAssertEqual(outputs.compactMap { $0["name"] as? String }, ["click", "buy"])
        XCTAssertEqual(outputs.compactMap { $0["shape"] as? [Int] }, [[-1], [-1]])
    }

    func testRawRowsScoreAsPredictBitForBit() async throws {
        let fixture = ServingFixtures.shop
        let rows = Self.shopRows(Array(fixture.instances.prefix(25)))
        let columns = ["user", "item", "price", "age", "history"]
        let inputs = columns.map { column -> [String: Any] in
            ["name": column, "datatype": "BYTES", "shape": [rows.count], "data": rows.map { $0[column] ?? "" }]
        }
        let predicted = try ServingFixtures.predicted(rows.map { $0.mapValues(RawValue.string) }, checkpoint: fixture.run)
        let (_, id) = try Self.signature(fixture)
        let body = Self.inferBody(inputs, extra: ["id": "r-7"])
        let response = try await withServer(fixture) { client, _ in
            try await client.execute(uri: "/v2/models/mmoe/infer", method: .post, body: body)
        }
        XCTAssertEqual(response.status, .ok, String(buffer: response.body))
        let object = try JSONBody.object(response.body)
        XCTAssertEqual(object["model_name"] as? String, "mmoe")
        XCTAssertEqual(object["model_version"] as? String, id)
        XCTAssertEqual(object["id"] as? String, "r-7")
        let (names, served) = try Self.scores(response.body)
        XCTAssertEqual(names, ["click", "buy"])
        XCTAssertEqual((object["outputs"] as? [[String: Any]])?.first?["shape"] as? [Int], [25])
        XCTAssertEqual(served.map(\.bitPattern), predicted.map(\.bitPattern))
    }

    func testTensorInputsScoreAsPredictBitForBitFlatOrNested() async throws {
        let fixture = ServingFixtures.synthetic
        let instances = Array(fixture.instances.prefix(30))
        let predicted = try ServingFixtures.predicted(instances, checkpoint: fixture.run)
        let (signature, _) = try Self.signature(fixture)
        let flat = Self.tensorInputs(instances, signature: signature)
        let nested = flat.map { input -> [String: Any] in
            let shape = input["shape"] as! [Int]
            guard shape.count == 2, let data = input["data"] as? [Int] else { return input }
            var copy = input
            copy["data"] = (0..<shape[0]).map { Array(data[$0 * shape[1] ..< ($0 + 1) * shape[1]]) }
            return copy
        }
        let model = try await withServer(fixture) { _, server in server.slot.current.metadata.model }
        let (flatBody, nestedBody) = (Self.inferBody(flat), Self.inferBody(nested))
        let (flatResponse, nestedResponse) = try await withServer(fixture) { client, _ in
            (try await client.execute(uri: "/v2/models/\(model)/infer", method: .post, body: flatBody),
             try await client.execute(uri: "/v2/models/\(model)/infer", method: .post, body: nestedBody))
        }
        XCTAssertEqual(flatResponse.status, .ok, String(buffer: flatResponse.body))
        XCTAssertEqual(nestedResponse.status, .ok, String(buffer: nestedResponse.body))
        XCTAssertNil(try JSONBody.object(flatResponse.body)["id"])
        XCTAssertEqual(try Self.scores(flatResponse.body).scores.map(\.bitPattern), predicted.map(\.bitPattern))
        XCTAssertEqual(try Self.scores(nestedResponse.body).scores.map(\.bitPattern), predicted.map(\.bitPattern))
    }

    func testRequestedOutputsComeInTheOrderAsked() async throws {
        let fixture = ServingFixtures.shop
        let rows = Self.shopRows(Array(fixture.instances.prefix(3)))
        let inputs = ["user", "item"].map { column -> [String: Any] in
            ["name": column, "datatype": "BYTES", "shape": [3], "data": rows.map { $0[column]! }]
        }
        let allBody = Self.inferBody(inputs)
        let buyBody = Self.inferBody(inputs, extra: ["outputs": [["name": "buy"], ["name": "click"]]])
        let (all, buy) = try await withServer(fixture) { client, _ in
            (try await client.execute(uri: "/v2/models/mmoe/infer", method: .post, body: allBody),
             try await client.execute(uri: "/v2/models/mmoe/infer", method: .post, body: buyBody))
        }
        let (allNames, allScores) = try Self.scores(all.body)
        let (buyNames, buyScores) = try Self.scores(buy.body)
        XCTAssertEqual(allNames, ["click", "buy"])
        XCTAssertEqual(buyNames, ["buy", "click"])
        XCTAssertEqual(buyScores, (0..<3).flatMap { [allScores[$0 * 2 + 1], allScores[$0 * 2]] })
    }

    func testTheModelNameOptionRenamesTheModel() async throws {
        let (renamed, old) = try await withServer(ServingFixtures.shop, configure: { $0.modelName = "ranker" }) { client, _ in
            (try await client.execute(uri: "/v2/models/ranker", method: .get),
             try await client.execute(uri: "/v2/models/mmoe/ready", method: .get))
        }
        XCTAssertEqual(renamed.status, .ok)
        XCTAssertEqual(try JSONBody.object(renamed.body)["name"] as? String, "ranker")
        XCTAssertEqual(old.status, .notFound)
        XCTAssertTrue(try JSONBody.error(old.body).contains("'ranker'"))
    }

    func testInferCallsAreCountedPerRouteTemplate() async throws {
        let fixture = ServingFixtures.shop
        let inputs: [[String: Any]] = [["name": "user", "datatype": "BYTES", "shape": [2], "data": ["u1", "u2"]]]
        let body = Self.inferBody(inputs)
        let text = try await withServer(fixture) { client, _ in
            _ = try await client.execute(uri: "/v2/models/mmoe/infer", method: .post, body: body)
            _ = try await client.execute(uri: "/v2/models/mmoe/infer", method: .post, body: JSONBody.text("{"))
            return String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
        }
        let lines = Set(text.split(separator: "\n").map(String.init))
        XCTAssertTrue(lines.contains(#"dtrn_http_requests_total{route="/v2/models/{name}/infer",status="200"} 1"#), text)
        XCTAssertTrue(lines.contains(#"dtrn_http_requests_total{route="/v2/models/{name}/infer",status="400"} 1"#), text)
        XCTAssertTrue(lines.contains("dtrn_scored_instances_total 2"), text)
    }
}
