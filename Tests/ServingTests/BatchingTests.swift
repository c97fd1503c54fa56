import Foundation
import Hummingbird
import HummingbirdTesting
import Serving
import XCTest

/// Concurrent requests are scored together in fewer model calls, each answered with its own rows.
final class BatchingTests: XCTestCase {
    func testConcurrentRequestsShareModelCallsAndEachGetsItsOwnScores() async throws {
        let fixture = ServingFixtures.synthetic
        let instances = Array(fixture.instances.prefix(24))
        let predicted = try ServingFixtures.predicted(instances, checkpoint: fixture.run)
        let tasks = fixture.tasks
        let (served, metrics) = try await withServer(fixture, .ahc(.http), configure: { $0.maxWaitMilliseconds = 200 }) { client, _ in
            let served = try await withThrowingTaskGroup(of: (Int, [Float]).self) { group in
                for (index, instance) in instances.enumerated() {
                    group.addTask {
                        let response = try await client.execute(uri: "/v1/score", method: .post, body: JSONBody.score([instance]))
                        XCTAssertEqual(response.status, .ok)
                        return (index, try JSONBody.scores(response.body, tasks: tasks))
                    }
                }
                return try await group.reduce(into: [Int: [Float]]()) { $0[$1.0] = $1.1 }
            }
            let metrics = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            return (served, metrics)
        }
        XCTAssertEqual((0..<instances.count).flatMap { served[$0]! }.map(\.bitPattern), predicted.map(\.bitPattern))
        let calls = try XCTUnwrap(metrics.split(separator: "\n").first { $0.hasPrefix("dtrn_batch_rows_count ") })
        let count = try XCTUnwrap(Int(calls.split(separator: " ")[1]))
        XCTAssertLessThan(count, instances.count, "24 concurrent requests took \(count) model calls")
    }

    func testALoneRequestDoesNotWaitForCompany() async throws {
        let fixture = ServingFixtures.synthetic
        let seconds = try await withServer(fixture, configure: { $0.maxWaitMilliseconds = 5000 }) { client, _ in
            let started = ContinuousClock.now
            let response = try await client.execute(uri: "/v1/score", method: .post, body: JSONBody.score([fixture.instances[0]]))
            XCTAssertEqual(response.status, .ok)
            return (ContinuousClock.now - started) / .seconds(1)
        }
        XCTAssertLessThan(seconds, 2.5, "nothing else was on its way, so the 5 s wait does not apply")
    }

    func testARequestLargerThanTheBatchLimitIsScoredWhole() async throws {
        let fixture = ServingFixtures.synthetic
        let instances = Array(fixture.instances.prefix(30))
        let served = try await withServer(fixture, configure: { $0.maxBatchRows = 8 }) { client, _ in
            let response = try await client.execute(uri: "/v1/score", method: .post, body: JSONBody.score(instances))
            return try JSONBody.scores(response.body, tasks: fixture.tasks)
        }
        XCTAssertEqual(served, try ServingFixtures.predicted(instances, checkpoint: fixture.run))
    }
}
