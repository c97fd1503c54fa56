import Foundation
import XCTest
import RecData

/// Temporary files and folders for tests, removed when the test ends.
final class TestFiles {
    let directory: String

    init() throws {
        directory = NSTemporaryDirectory() + "recdata-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Writes `text` to a new file called `name` and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        try write(name, bytes: Array(text.utf8))
    }

    /// Writes raw bytes to a new file called `name` and returns its path.
    @discardableResult
    func write(_ name: String, bytes: [UInt8]) throws -> String {
        let path = directory + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// A path inside the folder that does not exist yet.
    func path(_ name: String) -> String { directory + "/" + name }
}

/// The read-only shared sample data next to the package.
enum SharedData {
    static let root: String = {
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data").path
    }()

    static func skipUnlessPresent(_ folder: String) throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: root + "/" + folder), "shared data \(folder) not present")
    }
}

/// Asserts that `body` throws a `DataError` whose message contains every one of `fragments`.
func XCTAssertDataError(
    _ fragments: [String], file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void
) {
    do {
        try body()
        XCTFail("expected an error containing \(fragments)", file: file, line: line)
    } catch let error as DataError {
        for fragment in fragments where !error.description.contains(fragment) {
            XCTFail("'\(error.description)' does not contain '\(fragment)'", file: file, line: line)
        }
    } catch {
        XCTFail("expected a DataError, got \(error)", file: file, line: line)
    }
}
