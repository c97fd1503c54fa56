import Foundation
import Hummingbird
import HummingbirdTesting
import RecData
import XCTest

/// The shop data was ingested from a CSV with a space after each comma under a trimming format,
/// so a value padded with spaces or tabs scores as the value itself: in a request to the server,
/// and in `dtrn predict`'s JSON Lines and CSV input.
final class PaddedValueTests: XCTestCase {
    private let shop = ServingFixtures.shop

    private var plain: [[String: RawValue]] { Array(shop.instances.prefix(6)) }

    /// `plain` with every text value padded (and the numbers written as padded text).
    private var padded: [[String: RawValue]] {
        plain.map { instance in
            instance.mapValues { value in
                switch value {
                case .string(let text): .string(" \(text)\t")
                case .number(let x): .string(" \(RawValue.text(of: x)) ")
                case .list(let items): .list(items.map { " \($0)" })
                case .missing: .missing
                }
            }
        }
    }

    func testIngestionStoredTheValuesTrimmed() throws {
        let users = try XCTUnwrap(shop.dataset.encoder?.vocabulary(of: "user"))
        XCTAssertTrue(users.tokens.contains("u3"), "\(users.tokens)")
        XCTAssertFalse(users.tokens.contains { $0.hasPrefix(" ") }, "\(users.tokens)")
    }

    func testTheServerScoresPaddedValuesAsTheValues() async throws {
        let (plain, padded, tasks) = (self.plain, self.padded, shop.tasks)
        let (plainScores, paddedScores) = try await withServer(shop) { client, _ in
            let a = try await client.execute(uri: "/v1/score", method: .post, body: JSONBody.score(plain))
            let b = try await client.execute(uri: "/v1/score", method: .post, body: JSONBody.score(padded))
            XCTAssertEqual(b.status, .ok, String(buffer: b.body))
            return (try JSONBody.scores(a.body, tasks: tasks), try JSONBody.scores(b.body, tasks: tasks))
        }
        XCTAssertEqual(paddedScores.map(\.bitPattern), plainScores.map(\.bitPattern))
        XCTAssertEqual(plainScores, try ServingFixtures.predicted(plain, checkpoint: shop.run))
    }

    func testPredictScoresPaddedJSONLinesAndCSVAsTheValues() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("padded-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        func predict(_ rows: String, ext: String) throws -> String {
            let input = folder.appendingPathComponent("rows-\(UUID().uuidString).\(ext)")
            let output = folder.appendingPathComponent("scores-\(UUID().uuidString).csv")
            try rows.write(to: input, atomically: true, encoding: .utf8)
            let process = try DtrnExecutable.start(
                ["predict", "--checkpoint", shop.run.path, "--input", input.path, "--output", output.path],
                output: folder.appendingPathComponent("predict.log"))
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, 0,
                           (try? String(contentsOf: folder.appendingPathComponent("predict.log"), encoding: .utf8)) ?? "")
            return try String(contentsOf: output, encoding: .utf8)
        }
        func jsonLines(_ instances: [[String: RawValue]]) throws -> String {
            try instances.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }.joined(separator: "\n")
        }
        func csv(_ instances: [[String: RawValue]], pad: String) -> String {
            let columns = ["user", "item", "price", "age", "history"]
            return columns.joined(separator: ",") + "\n" + instances.map { instance in
                columns.map { name -> String in
                    switch instance[name] ?? .missing {
                    case .string(let text): pad + text + pad
                    case .number(let x): pad + RawValue.text(of: x) + pad
                    case .list(let items): items.map { pad + $0 + pad }.joined(separator: "|")
                    case .missing: ""
                    }
                }.joined(separator: ",")
            }.joined(separator: "\n") + "\n"
        }
        let expected = try predict(jsonLines(plain), ext: "jsonl")
        XCTAssertEqual(expected.split(separator: "\n").count, plain.count + 1)
        XCTAssertEqual(try predict(jsonLines(padded), ext: "jsonl"), expected)
        XCTAssertEqual(try predict(csv(plain, pad: ""), ext: "csv"), expected)
        XCTAssertEqual(try predict(csv(plain, pad: " "), ext: "csv"), expected)
        XCTAssertEqual(try predict(csv(plain, pad: "\t"), ext: "csv"), expected)
        XCTAssertEqual(try predict(csv(plain, pad: " ").replacingOccurrences(of: ",", with: "\t"), ext: "tsv"), expected)
    }
}
