import Foundation
import Hummingbird
import HummingbirdTesting
import Serving
import Training
import XCTest

/// A new checkpoint is swapped in on request or on change, atomically and without failing
/// the requests in flight; a broken one leaves the served one in place.
final class ReloadTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("reload-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    /// A copy of the synthetic fixture's best checkpoint at `folder/live`, served from there.
    private func liveCheckpoint() throws -> ServingFixtures.Fixture {
        let fixture = ServingFixtures.synthetic
        let live = folder.appendingPathComponent("live")
        try FileManager.default.copyItem(at: try RunDirectory.resolveCheckpoint(fixture.run.path), to: live)
        return ServingFixtures.Fixture(run: live, dataset: fixture.dataset, instances: fixture.instances)
    }

    /// Replaces the checkpoint at `url` with the same weights under a new id, as a finished
    /// training epoch does (complete folder renamed into place); returns the new id.
    private static func replaceWithNewID(_ url: URL) throws -> String {
        var checkpoint = try Checkpoint.read(url)
        checkpoint.id = UUID().uuidString
        let staging = url.deletingLastPathComponent().appendingPathComponent("staging-\(checkpoint.id)")
        try FileManager.default.copyItem(at: url, to: staging)
        try JSONEncoder().encode(checkpoint).write(to: staging.appendingPathComponent("checkpoint.json"))
        try FileManager.default.removeItem(at: url)
        try FileManager.default.moveItem(at: staging, to: url)
        return checkpoint.id
    }

    private static func checkpointID(_ body: ByteBuffer) throws -> String {
        try XCTUnwrap(try JSONBody.object(body)["checkpoint"] as? String)
    }

    func testReloadSwapsInTheNewCheckpointWithoutFailingRequestsInFlight() async throws {
        let fixture = try liveCheckpoint()
        let oldID = try Checkpoint.read(fixture.run).id
        let body = JSONBody.score(Array(fixture.instances.prefix(3)))
        let expected = try ServingFixtures.predicted(Array(fixture.instances.prefix(3)), checkpoint: fixture.run)
        try await withServer(fixture, .ahc(.http)) { client, _ in
            let unchanged = try JSONBody.object(try await client.execute(uri: "/v1/reload", method: .post).body)
            XCTAssertEqual(unchanged["changed"] as? Bool, false)

            let answers = try await withThrowingTaskGroup(of: [(String, [Float])].self) { group in
                for _ in 0..<3 {
                    group.addTask {
                        var answers: [(String, [Float])] = []
                        for _ in 0..<15 {
                            let response = try await client.execute(uri: "/v1/score", method: .post, body: body)
                            XCTAssertEqual(response.status, .ok, String(buffer: response.body))
                            answers.append((try Self.checkpointID(response.body), try JSONBody.scores(response.body, tasks: fixture.tasks)))
                        }
                        return answers
                    }
                }
                let newID = try Self.replaceWithNewID(fixture.run)
                let reload = try await client.execute(uri: "/v1/reload", method: .post)
                XCTAssertEqual(reload.status, .ok, String(buffer: reload.body))
                let outcome = try JSONBody.object(reload.body)
                XCTAssertEqual(outcome["changed"] as? Bool, true)
                XCTAssertEqual(outcome["previous"] as? String, oldID)
                XCTAssertEqual(outcome["checkpoint"] as? String, newID)
                let after = try await client.execute(uri: "/v1/score", method: .post, body: body)
                XCTAssertEqual(try Self.checkpointID(after.body), newID)
                return try await group.reduce(into: []) { $0 += $1 }
            }
            XCTAssertEqual(answers.count, 45)
            XCTAssertTrue(answers.allSatisfy { $0.1 == expected }, "same weights, same scores under either id")
        }
    }

    func testReloadOnChangePicksUpANewCheckpoint() async throws {
        let fixture = try liveCheckpoint()
        try await withServer(fixture, configure: { $0.reloadPollSeconds = 0.05 }) { client, _ in
            let newID = try Self.replaceWithNewID(fixture.run)
            var served = ""
            for _ in 0..<200 where served != newID {
                try await Task.sleep(for: .milliseconds(25))
                served = try Self.checkpointID(try await client.execute(uri: "/healthz", method: .get).body)
            }
            XCTAssertEqual(served, newID)
        }
    }

    func testABrokenCheckpointIsRefusedAndTheServedOneStays() async throws {
        let fixture = try liveCheckpoint()
        let oldID = try Checkpoint.read(fixture.run).id
        try await withServer(fixture) { client, _ in
            try Data("{".utf8).write(to: fixture.run.appendingPathComponent("checkpoint.json"))
            let reload = try await client.execute(uri: "/v1/reload", method: .post)
            XCTAssertEqual(reload.status, .internalServerError)
            XCTAssertTrue(try JSONBody.error(reload.body).hasPrefix("reload failed, still serving \(oldID)"))
            let score = try await client.execute(uri: "/v1/score", method: .post, body: JSONBody.score(Array(fixture.instances.prefix(1))))
            XCTAssertEqual(try Self.checkpointID(score.body), oldID)
        }
    }
}
