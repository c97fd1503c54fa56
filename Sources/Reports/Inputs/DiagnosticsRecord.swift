import Foundation

/// One line of `diagnostics.jsonl` (`dtrn train --diagnostics`): the task gradients compared
/// on each parameter group at one step.
public struct DiagnosticsRecord: Codable, Sendable, Equatable {
    /// A parameter group: `overall-shared`, `task-specific`, or a part of the shared parameters.
    public struct Group: Codable, Sendable, Equatable {
        /// Two tasks' gradients compared.
        public struct Pair: Codable, Sendable, Equatable {
            public var a: String
            public var b: String
            /// The cosine similarity of the two tasks' gradients on the group.
            public var cosine: Double
            /// The fraction of the diagnosed steps so far with a negative cosine.
            public var conflictRate: Double
        }

        public var name: String
        /// Whether the tasks share these parameters.
        public var shared: Bool
        /// Each task's gradient norm on the group.
        public var norms: [Double]
        public var pairs: [Pair]
    }

    public var step: Int
    public var epoch: Int
    public var tasks: [String]
    /// Each task's loss at the step.
    public var taskLoss: [Double]
    public var groups: [Group]

    /// The records of a `diagnostics.jsonl` file.
    public static func read(_ url: URL) throws -> [DiagnosticsRecord] {
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
