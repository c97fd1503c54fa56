import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Hummingbird
import RecData
import XCTest

/// The `dtrn` executable end to end: `dtrn serve` on a real loopback port scores rows exactly
/// as `dtrn predict` writes them, and on SIGTERM answers the request in flight before exiting.
final class CommandLineServingTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("serve-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private func run(_ arguments: [String], output: URL) throws -> Process {
        try DtrnExecutable.start(arguments, output: output)
    }

    private static func post(_ body: Data, port: Int, path: String = "/v1/score") async throws -> (Int, Data) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = "POST"
        request.httpBody = body
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }

    func testServeScoresEqualPredictOutputAndSIGTERMAnswersTheRequestInFlight() async throws {
        let fixture = ServingFixtures.shop
        let instances = Array(fixture.instances.prefix(30))
        let rows = folder.appendingPathComponent("rows.jsonl")
        try instances.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }.joined(separator: "\n")
            .write(to: rows, atomically: true, encoding: .utf8)
        let csv = folder.appendingPathComponent("predicted.csv")
        let predict = try run(["predict", "--checkpoint", fixture.run.path, "--input", rows.path, "--output", csv.path],
                              output: folder.appendingPathComponent("predict.log"))
        predict.waitUntilExit()
        XCTAssertEqual(predict.terminationStatus, 0)
        let lines = try String(contentsOf: csv, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.first, "click,buy")
        let predicted = lines.dropFirst().flatMap { $0.split(separator: ",").map { Float(String($0))! } }

        let log = folder.appendingPathComponent("serve.log")
        let serve = try run(["serve", "--checkpoint", fixture.run.path, "--port", "0", "--max-wait-ms", "400", "--threads", "1"],
                            output: log)
        defer { if serve.isRunning { serve.terminate() } }
        let port = try await DtrnExecutable.listeningPort(log, process: serve)
        let body = try JSONEncoder().encode(["instances": instances])
        let (status, data) = try await Self.post(body, port: port)
        XCTAssertEqual(status, 200, String(decoding: data, as: UTF8.self))
        let served = try JSONBody.scores(ByteBuffer(bytes: data), tasks: fixture.tasks)
        XCTAssertEqual(served.map(\.bitPattern), predicted.map(\.bitPattern))

        // The request waits up to 400 ms for company; SIGTERM arrives meanwhile.
        async let inFlight = Self.post(body, port: port)
        try await Task.sleep(for: .milliseconds(100))
        kill(serve.processIdentifier, SIGTERM)
        let (lateStatus, lateData) = try await inFlight
        XCTAssertEqual(lateStatus, 200, String(decoding: lateData, as: UTF8.self))
        for _ in 0..<200 where serve.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        XCTAssertFalse(serve.isRunning, "dtrn serve still runs 10 s after SIGTERM")
        XCTAssertEqual(serve.terminationStatus, 0)
    }
}
