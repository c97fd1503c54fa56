import Foundation
import Hummingbird
import HummingbirdTesting
import RecData
import Serving
import Training
import XCTest

/// Every endpoint of a live server, and served scores against `dtrn predict`'s.
final class ScoringEndpointTests: XCTestCase {
    func testServedScoresEqualPredictedScoresBitForBit() async throws {
        for fixture in [ServingFixtures.shop, ServingFixtures.synthetic] {
            let instances = Array(fixture.instances.prefix(40))
            let predicted = try ServingFixtures.predicted(instances, checkpoint: fixture.run)
            let served = try await withServer(fixture) { client, _ in
                let response = try await client.execute(uri: "/v1/score", method: .post, body: JSONBody.score(instances))
                XCTAssertEqual(response.status, .ok, String(buffer: response.body))
                XCTAssertEqual(response.headers[.contentType], "application/json")
                return try JSONBody.scores(response.body, tasks: fixture.tasks)
            }
            XCTAssertEqual(served.count, instances.count * fixture.tasks.count)
            XCTAssertEqual(served.map(\.bitPattern), predicted.map(\.bitPattern), fixture.run.lastPathComponent)
        }
    }

    func testARowScoresTheSameAloneAsInAnyBatch() throws {
        for fixture in [ServingFixtures.shop, ServingFixtures.synthetic] {
            let instances = Array(fixture.instances.prefix(24))
            let together = try ServingFixtures.predicted(instances, checkpoint: fixture.run)
            let alone = try instances.flatMap { try ServingFixtures.predicted([$0], checkpoint: fixture.run) }
            let pairs = try stride(from: 0, to: instances.count, by: 2).flatMap {
                try ServingFixtures.predicted(Array(instances[$0..<$0 + 2]), checkpoint: fixture.run)
            }
            XCTAssertEqual(alone.map(\.bitPattern), together.map(\.bitPattern), fixture.run.lastPathComponent)
            XCTAssertEqual(pairs.map(\.bitPattern), together.map(\.bitPattern), fixture.run.lastPathComponent)
        }
    }

    func testPredictionsFollowTheRequestOrderWithOneScorePerTask() async throws {
        let fixture = ServingFixtures.shop
        let instances = Array(fixture.instances.prefix(6))
        let (forwardBody, backwardBody) = try await withServer(fixture) { client, _ in
            let forward = try await client.execute(uri: "/v1/score", method: .post, body: JSONBody.score(instances))
            let backward = try await client.execute(uri: "/v1/score", method: .post, body: JSONBody.score(instances.reversed()))
            return (forward.body, backward.body)
        }
        let (forward, backward) = (try JSONBody.object(forwardBody), try JSONBody.object(backwardBody))
        let predictions = try XCTUnwrap(forward["predictions"] as? [[String: Double]])
        XCTAssertEqual(predictions.count, 6)
        XCTAssertTrue(predictions.allSatisfy { Set($0.keys) == ["click", "buy"] && $0.values.allSatisfy { (0...1).contains($0) } })
        XCTAssertEqual(try XCTUnwrap(backward["predictions"] as? [[String: Double]]), predictions.reversed())
        XCTAssertEqual(forward["checkpoint"] as? String, try Checkpoint.read(RunDirectory.resolveCheckpoint(fixture.run.path)).id)
    }

    func testAnEmptyInstanceListGetsNoPredictions() async throws {
        let body = try await withServer(ServingFixtures.shop) { client, _ in
            try await client.execute(uri: "/v1/score", method: .post, body: JSONBody.text(#"{"instances": []}"#)).body
        }
        XCTAssertEqual((try JSONBody.object(body)["predictions"] as? [Any])?.count, 0)
    }

    func testModelDescribesTheModelTasksFieldsAndCheckpoint() async throws {
        let fixture = ServingFixtures.shop
        let folder = try RunDirectory.resolveCheckpoint(fixture.run.path)
        let checkpoint = try Checkpoint.read(folder)
        let description = try await withServer(fixture) { client, _ in
            let response = try await client.execute(uri: "/v1/model", method: .get)
            XCTAssertEqual(response.status, .ok)
            return try JSONDecoder().decode(ModelDescription.self, from: Data(response.body.readableBytesView))
        }
        XCTAssertEqual(description.model, "mmoe")
        XCTAssertEqual(description.backbone, "towers")
        XCTAssertEqual(description.dataset, "shop")
        XCTAssertTrue(description.rawInputs)
        XCTAssertEqual(description.tasks.map(\.name), ["click", "buy"])
        XCTAssertEqual(description.fields.map(\.name), ["user", "item", "price", "age", "history"])
        XCTAssertEqual(description.fields.map(\.kind), [.categorical, .categorical, .numeric, .numeric, .sequence])
        XCTAssertEqual(description.fields.last?.maxLength, 4)
        XCTAssertEqual(description.checkpoint.id, checkpoint.id)
        XCTAssertEqual(description.checkpoint.createdAt, checkpoint.createdAt)
        XCTAssertEqual(description.checkpoint.path, folder.path)
    }

    func testHealthzAnswersOk() async throws {
        let body = try await withServer(ServingFixtures.synthetic) { client, _ in
            try await client.execute(uri: "/healthz", method: .get).body
        }
        let health = try JSONBody.object(body)
        XCTAssertEqual(health["status"] as? String, "ok")
        XCTAssertNotNil(health["checkpoint"] as? String)
    }

    func testMetricsCountRequestsErrorsLatenciesAndBatchSizesInPrometheusText() async throws {
        let fixture = ServingFixtures.synthetic
        let (text, contentType) = try await withServer(fixture) { client, _ in
            _ = try await client.execute(uri: "/v1/score", method: .post, body: JSONBody.score(Array(fixture.instances.prefix(3))))
            _ = try await client.execute(uri: "/v1/score", method: .post, body: JSONBody.score(Array(fixture.instances.prefix(1))))
            _ = try await client.execute(uri: "/v1/score", method: .post, body: JSONBody.text("{"))
            let response = try await client.execute(uri: "/metrics", method: .get)
            return (String(buffer: response.body), response.headers[.contentType])
        }
        XCTAssertEqual(contentType?.hasPrefix("text/plain"), true)
        let lines = Set(text.split(separator: "\n").map(String.init))
        XCTAssertTrue(lines.contains(#"dtrn_http_requests_total{route="/v1/score",status="200"} 2"#), text)
        XCTAssertTrue(lines.contains(#"dtrn_http_requests_total{route="/v1/score",status="400"} 1"#), text)
        XCTAssertTrue(lines.contains(#"dtrn_http_errors_total{route="/v1/score",status="400"} 1"#), text)
        XCTAssertTrue(lines.contains(#"dtrn_http_request_duration_seconds_count{route="/v1/score"} 3"#), text)
        XCTAssertTrue(lines.contains("dtrn_scored_instances_total 4"), text)
        XCTAssertTrue(lines.contains("dtrn_batch_rows_sum 4.0") || lines.contains("dtrn_batch_rows_sum 4"), text)
        XCTAssertTrue(lines.contains(#"dtrn_request_instances_bucket{le="2.0"} 1"#), text)
    }

    func testAnUnknownRouteIsAJSON404() async throws {
        let response = try await withServer(ServingFixtures.synthetic) { client, _ in
            try await client.execute(uri: "/v2/score", method: .post)
        }
        XCTAssertEqual(response.status, .notFound)
        let error = try JSONBody.error(response.body)
        XCTAssertTrue(error.contains("no endpoint POST /v2/score"), error)
        for route in ["GET /v1/model", "POST /v1/score", "GET /v2/models/<name>", "POST /v2/models/<name>/infer", "GET /v2/health/ready"] {
            XCTAssertTrue(error.contains(route), "'\(error)' does not list \(route)")
        }
    }
}
