import XCTest
@testable import RecData

/// An event log is read in blocks on a second thread while the ids are interned; malformed rows in any
/// block are skipped (or refused) exactly as if the file were read in one piece.
final class EventLogIngestionTests: XCTestCase {
    private func ingest(_ path: String, into store: String, maxBadRows: Int = 0) throws -> IngestReport {
        try DatasetStore.ingest(
            schema: try BuiltinDataset.taobao.schema(), inputs: [IngestInput(path: path, assignment: .whole(.train))],
            into: store, options: IngestOptions(maxBadRows: maxBadRows))
    }

    /// The bytes of every column file of a store, by path within it.
    private func columnFiles(_ store: String) throws -> [String: Data] {
        let files = FileManager.default.enumerator(atPath: store)!.compactMap { $0 as? String }
            .filter { !$0.hasSuffix(".json") && !$0.hasSuffix(".yaml") }
        return try Dictionary(uniqueKeysWithValues: files.compactMap { file in
            var isDirectory: ObjCBool = false
            FileManager.default.fileExists(atPath: store + "/" + file, isDirectory: &isDirectory)
            return isDirectory.boolValue ? nil : (file, try Data(contentsOf: URL(fileURLWithPath: store + "/" + file)))
        })
    }

    func testBadRowsInLaterBlocksAreSkippedAsInOnePiece() throws {
        let files = try TestFiles()
        var config = EventLogGenerator.Config()
        config.events = 3 * EventLogParser.blockEvents + 500
        let clean = files.directory + "/clean.csv"
        _ = try EventLogGenerator(config: config).write(to: clean)
        var lines = try String(contentsOfFile: clean, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // Lines 5001 and 9001 of the file (in the second and third blocks) become malformed rows.
        lines.insert("7,70,3,like,1511700000", at: 5000)
        lines.insert("7,70,3,pv,soon", at: 9000)
        let dirty = try files.write("dirty.csv", lines.joined(separator: "\n"))

        _ = try ingest(clean, into: files.path("clean-store"))
        let report = try ingest(dirty, into: files.path("dirty-store"), maxBadRows: 2)
        XCTAssertEqual(report.skippedRows, 2)
        XCTAssertTrue(report.skippedExamples[0].contains("dirty.csv:5001:"), report.skippedExamples[0])
        XCTAssertTrue(report.skippedExamples[1].contains("dirty.csv:9001:"), report.skippedExamples[1])
        let (expected, found) = (try columnFiles(files.path("clean-store")), try columnFiles(files.path("dirty-store")))
        XCTAssertFalse(expected.isEmpty)
        XCTAssertEqual(Set(found.keys), Set(expected.keys))
        for (file, bytes) in expected { XCTAssertEqual(found[file], bytes, file) }

        XCTAssertDataError(["more than 1 malformed rows", "dirty.csv:5001:"]) {
            _ = try self.ingest(dirty, into: files.path("refused"), maxBadRows: 1)
        }
    }
}
