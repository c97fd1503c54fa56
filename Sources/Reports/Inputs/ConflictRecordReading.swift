import Foundation
import Training

extension ConflictRecord {
    /// The records of a `diagnostics.jsonl` file (`dtrn train --diagnostics`).
    public static func read(_ url: URL) throws -> [ConflictRecord] {
        try readJSONLines(url)
    }
}

/// The objects of a JSON-lines file, one a line; a line that does not decode is an error naming it.
func readJSONLines<Record: Decodable>(_ url: URL) throws -> [Record] {
    guard let data = FileManager.default.contents(atPath: url.path) else {
        throw ReportError.unreadable(url.path, reason: "cannot read the file")
    }
    return try String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
        .enumerated().map { line, text in
            do {
                return try JSONDecoder().decode(Record.self, from: Data(text.utf8))
            } catch {
                throw ReportError.unreadable("\(url.path):\(line + 1)", reason: "not a \(Record.self): \(error)")
            }
        }
}
