import Foundation
import RecData
import XCTest

/// The Triton client (`tritonclient[http]`, Tests/Interop/kserve-client.py) against `dtrn serve`
/// over the KServe v2 protocol: liveness, metadata, and inference with raw BYTES rows and
/// with the model's tensors, whose scores must be within 1e-6 of `dtrn predict`'s.
///
/// The client runs in the virtual environment that scripts/install-python-tools makes; without
/// it the test fails under CI (env `CI` set) and is skipped otherwise.
final class TritonClientTests: XCTestCase {
    private var folder: URL!
    private static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("triton-client-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private func python() throws -> URL {
        let python = Self.repository.appendingPathComponent(".build/python-tools/bin/python")
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            let message = "no Python tools at \(python.path); run scripts/install-python-tools"
            if ProcessInfo.processInfo.environment["CI"] != nil {
                XCTFail(message)
                throw CancellationError()
            }
            throw XCTSkip(message)
        }
        return python
    }

    /// Runs `dtrn predict` on `rows`, serves the fixture's checkpoint as `model` and runs the
    /// client in `form` on the same rows; the client's own checks decide.
    private func check(_ fixture: ServingFixtures.Fixture, rows: URL, form: String, model: String) async throws {
        let tasks = fixture.tasks.count
        let python = try python()
        let predicted = folder.appendingPathComponent("\(form)-predicted.csv")
        let predict = try DtrnExecutable.start(
            ["predict", "--checkpoint", fixture.run.path, "--input", rows.path, "--output", predicted.path],
            output: folder.appendingPathComponent("\(form)-predict.log"))
        predict.waitUntilExit()
        XCTAssertEqual(predict.terminationStatus, 0)

        let log = folder.appendingPathComponent("\(form)-serve.log")
        let serve = try DtrnExecutable.start(
            ["serve", "--checkpoint", fixture.run.path, "--port", "0", "--threads", "1", "--model-name", model], output: log)
        defer { if serve.isRunning { serve.terminate() } }
        let port = try await DtrnExecutable.listeningPort(log, process: serve)

        let client = Process()
        client.executableURL = python
        client.arguments = [Self.repository.appendingPathComponent("Tests/Interop/kserve-client.py").path,
                            "--url", "127.0.0.1:\(port)", "--model", model, "--rows", rows.path,
                            "--form", form, "--expected", predicted.path]
        let output = folder.appendingPathComponent("\(form)-client.log")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        client.standardOutput = try FileHandle(forWritingTo: output)
        client.standardError = client.standardOutput
        try client.run()
        client.waitUntilExit()
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        XCTAssertEqual(client.terminationStatus, 0, text)
        XCTAssertTrue(text.contains("kserve-client: 30 rows, \(tasks) outputs (\(form))"), text)
    }

    func testRawRowsAsBytesTensorsScoreAsPredict() async throws {
        let fixture = ServingFixtures.shop
        var csv = "user,item,price,age,history\n"
        for instance in fixture.instances.prefix(30) {
            csv += ["user", "item", "price", "age", "history"].map { name -> String in
                switch instance[name] ?? .missing {
                case .string(let text): text
                case .number(let number): RawValue.text(of: number)
                case .list(let items): items.joined(separator: "|")
                case .missing: ""
                }
            }.joined(separator: ",") + "\n"
        }
        let rows = folder.appendingPathComponent("rows.csv")
        try csv.write(to: rows, atomically: true, encoding: .utf8)
        try await check(fixture, rows: rows, form: "raw", model: "shop-ranker")
    }

    func testModelTensorsScoreAsPredict() async throws {
        let fixture = ServingFixtures.synthetic
        let rows = folder.appendingPathComponent("rows.jsonl")
        try fixture.instances.prefix(30).map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
            .joined(separator: "\n").write(to: rows, atomically: true, encoding: .utf8)
        try await check(fixture, rows: rows, form: "tensor", model: "dtrn")
    }
}
