import Foundation
import Hummingbird
import HummingbirdTesting
import RecData
import Serving
import XCTest

/// Starts servers on loopback ports and talks JSON to them.
extension XCTestCase {
    /// Runs `body` against a live server (a real 127.0.0.1 port) for `fixture`'s checkpoint.
    func withServer<T: Sendable>(
        _ fixture: ServingFixtures.Fixture, _ setup: TestingSetup = .live,
        configure: (inout ServingConfiguration) -> Void = { _ in },
        _ body: @Sendable (any TestClientProtocol, ScoringServer) async throws -> T
    ) async throws -> T {
        var configuration = ServingConfiguration()
        configuration.port = 0
        configure(&configuration)
        let server = try ScoringServer(checkpoint: fixture.run.path, configuration: configuration)
        return try await server.application().test(setup) { client in try await body(client, server) }
    }
}

/// JSON helpers for requests and answers.
enum JSONBody {
    /// The body `{"instances": instances}`.
    static func score(_ instances: [[String: RawValue]]) -> ByteBuffer {
        ByteBuffer(bytes: try! JSONEncoder().encode(["instances": instances]))
    }

    /// A body from JSON text.
    static func text(_ text: String) -> ByteBuffer {
        ByteBuffer(string: text)
    }

    /// A response body as a JSON object.
    static func object(_ body: ByteBuffer) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any])
    }

    /// The `error` message of an error response.
    static func error(_ body: ByteBuffer) throws -> String {
        try XCTUnwrap(try object(body)["error"] as? String, String(buffer: body))
    }

    /// The scores of a `/v1/score` answer, `[instances × tasks]` row-major in `tasks` order,
    /// parsed as `Float` from the text the server wrote.
    static func scores(_ body: ByteBuffer, tasks: [String]) throws -> [Float] {
        struct Answer: Decodable { var predictions: [[String: Float]] }
        let answer = try JSONDecoder().decode(Answer.self, from: Data(body.readableBytesView))
        return try answer.predictions.flatMap { prediction in try tasks.map { try XCTUnwrap(prediction[$0]) } }
    }
}

extension ServingFixtures.Fixture {
    /// The task names.
    var tasks: [String] { dataset.schema.tasks.map(\.name) }
}

/// The `dtrn` executable built beside the test bundle.
enum DtrnExecutable {
    /// Its location; the test is skipped when it has not been built.
    static func url() throws -> URL {
        let tests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let binary = tests.appendingPathComponent("dtrn")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw XCTSkip("no dtrn executable at \(binary.path); build it with `swift build --product dtrn`")
        }
        return binary
    }

    /// Starts `dtrn arguments…` with its standard output and error going to `output`.
    static func start(_ arguments: [String], output: URL) throws -> Process {
        let process = Process()
        process.executableURL = try url()
        process.arguments = arguments
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = process.standardOutput
        try process.run()
        return process
    }

    /// The port `dtrn serve` reports it listens on in its log `log`, waiting up to 60 s.
    static func listeningPort(_ log: URL, process: Process) async throws -> Int {
        for _ in 0..<1200 {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("serving ") }),
               let port = line.split(separator: ":").last.flatMap({ Int($0) }) {
                return port
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        XCTFail("dtrn serve did not start: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        throw CancellationError()
    }
}
