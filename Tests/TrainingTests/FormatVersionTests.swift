import Foundation
import Models
import RecData
import Training
import XCTest

/// A checkpoint or run index written by another version of dtrn is refused with a message naming
/// the file and both versions, before anything in it is used.
final class FormatVersionTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("format-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    /// A one-epoch run of DTRN (towers) on tiny synthetic data.
    private func trainedRun() throws -> RunDirectory {
        var c = SyntheticConfig()
        (c.trainRows, c.validationRows, c.testRows) = (200, 100, 100)
        (c.users, c.items, c.sequenceLength) = (20, 30, 4)
        c.contextVocabularies = [4]
        c.denseFields = 1
        var m = ModelConfig()
        (m.embeddingDimension, m.towerHidden, m.feedForwardHidden) = (4, [8], 8)
        var t = TrainingConfig()
        (t.epochs, t.batchSize, t.patience) = (1, 100, 0)
        let run = RunDirectory(folder.appendingPathComponent("run"))
        try Trainer(dataset: try SyntheticGenerator(config: c).generate().encoded(), modelConfig: m, config: t,
                    dataSource: "synthetic", synthetic: c, run: run, reporter: ProgressReporter(quiet: true)).fit()
        return run
    }

    /// Rewrites the JSON object at `url` with `key` set to `version` (removed when nil).
    private func stamp(_ url: URL, _ key: String, _ version: Int?) throws {
        var object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        object[key] = version
        try JSONSerialization.data(withJSONObject: object).write(to: url)
    }

    private func assertRefused(_ expected: String, line: UInt = #line, _ body: () throws -> Void) {
        XCTAssertThrowsError(try body(), line: line) { error in
            XCTAssertTrue(error is FormatVersionError, "\(error)", line: line)
            XCTAssertTrue("\(error)".hasPrefix(expected), "'\(error)' does not start with '\(expected)'", line: line)
        }
    }

    func testACheckpointFromBeforeTheLastLayoutChangeIsRefusedAsOlder() throws {
        let run = try trainedRun()
        let checkpoint = run.checkpoint(epoch: 1)
        let file = checkpoint.appendingPathComponent("checkpoint.json")
        XCTAssertNoThrow(try Checkpoint.read(checkpoint).loadModel(from: checkpoint))
        // Every checkpoint written before DTRN-towers' parameters were renamed records version 1.
        try stamp(file, "version", 1)
        assertRefused("\(file.path) was written by an older version of dtrn (format 1, this build reads 2); train the model again") {
            _ = try Checkpoint.read(checkpoint)
        }
        try stamp(file, "version", nil)
        assertRefused("\(file.path) was written by an older version of dtrn (no format version recorded, this build reads 2)") {
            _ = try Checkpoint.read(RunDirectory.resolveCheckpoint(run.url.path))
        }
        try stamp(file, "version", 3)
        assertRefused("\(file.path) was written by a newer version of dtrn (format 3, this build reads 2)") {
            _ = try Checkpoint.read(checkpoint)
        }
    }

    func testARunIndexOfAnotherVersionIsRefused() throws {
        let run = try trainedRun()
        let file = run.url.appendingPathComponent("run.json")
        XCTAssertEqual(try run.index()?.latest, "epoch-001")
        try stamp(file, "formatVersion", nil)
        assertRefused("\(file.path) was written by an older version of dtrn (no format version recorded, this build reads 1)") {
            _ = try run.index()
        }
        try stamp(file, "formatVersion", 2)
        assertRefused("\(file.path) was written by a newer version of dtrn (format 2, this build reads 1)") {
            _ = try RunDirectory.resolveCheckpoint(run.url.path)
        }
    }
}
