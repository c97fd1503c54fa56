import Foundation

/// `runs/NAME/diagnostics.jsonl`: one ``ConflictRecord`` per line, appended as whole lines
/// and flushed to disk one at a time.
///
/// A process killed while appending can leave a last line without its newline; readers take
/// only complete lines that parse. On resume the file keeps the records of the steps the
/// checkpoint had taken and drops the rest (steps the resumed run takes again), rewritten
/// atomically before anything is appended.
struct DiagnosticsLog {
    /// The file.
    let url: URL
    private let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    /// A log at `url`, started afresh (empty), or continued keeping the complete records of the
    /// steps before `keepingStepsBefore`, which it returns.
    init(url: URL, keepingStepsBefore step: Int?) throws {
        self.url = url
        var kept: [ConflictRecord] = []
        if let step, let data = FileManager.default.contents(atPath: url.path) {
            kept = Self.records(in: data).filter { $0.step < step }
        }
        let encoder = self.encoder
        let lines = try kept.map { String(decoding: try encoder.encode($0), as: UTF8.self) + "\n" }
        try Data(lines.joined().utf8).write(to: url, options: .atomic)
        self.kept = kept
    }

    /// The records kept from an earlier run.
    let kept: [ConflictRecord]

    /// Appends `record` as one line and flushes it.
    func append(_ record: ConflictRecord) throws {
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: try encoder.encode(record) + Data("\n".utf8))
        try handle.synchronize()
    }

    /// The complete, parsable lines of `data`, up to the first that is not.
    static func records(in data: Data) -> [ConflictRecord] {
        var records: [ConflictRecord] = []
        let text = String(decoding: data, as: UTF8.self)
        let complete = text.hasSuffix("\n") ? Substring(text) : text[..<(text.lastIndex(of: "\n") ?? text.startIndex)]
        for line in complete.split(separator: "\n") {
            guard let record = try? JSONDecoder().decode(ConflictRecord.self, from: Data(line.utf8)) else { break }
            records.append(record)
        }
        return records
    }
}
