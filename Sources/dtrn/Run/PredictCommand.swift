import ArgumentParser
import Foundation
import RecData
import Tensor
import Training

/// `dtrn predict`: scores a file of raw rows with a checkpoint and writes one probability
/// per task and row, streaming any size of input in bounded memory.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Write per-task probabilities for every row of a file, using a checkpoint.",
        discussion: """
        The input is JSON Lines (.jsonl, .ndjson: one object per line, feature name → value, sequences as \
        lists, as in the server's requests) or a CSV/TSV file with a header naming the features (.csv, .tsv). \
        Values are encoded with the checkpoint's vocabularies and transforms; unseen ids go to the OOV row. \
        The output is a CSV file with one column per task, rows in input order, written atomically.
        """)

    @Option(help: "A checkpoint folder, or a run folder (its best checkpoint).")
    var checkpoint: String

    @Option(help: "The rows to score (.jsonl, .ndjson, .csv or .tsv).")
    var input: String

    @Option(help: "The CSV file to write.")
    var output: String

    @Option(help: "Rows scored at a time.")
    var batchSize = 4096

    @Option(help: "Worker threads (default: all cores).")
    var threads: Int?

    @OptionGroup var precision: PrecisionOption

    func run() throws {
        try reportingErrors {
            guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
            Parallelism.setThreadCount(threads ?? ProcessInfo.processInfo.activeProcessorCount)
            precision.apply()
            let folder = try RunDirectory.resolveCheckpoint(checkpoint)
            let saved = try Checkpoint.read(folder)
            let predictor = Predictor(model: try saved.loadModel(from: folder), schema: saved.schema)
            let encoder = RowEncoder(schema: saved.schema, encoder: saved.encoder)
            let rows = try RowSource(path: input)
            let temporary = output + ".partial"
            guard FileManager.default.createFile(atPath: temporary, contents: nil),
                  let out = FileHandle(forWritingAtPath: temporary) else {
                throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: output])
            }
            defer { try? FileManager.default.removeItem(atPath: temporary) }
            out.write(Data((saved.schema.tasks.map(\.name).joined(separator: ",") + "\n").utf8))
            var pending: [EncodedRow] = []
            var total = 0
            func flush() {
                let scores = predictor.predict(pending)
                let t = saved.schema.tasks.count
                var text = ""
                for r in 0..<pending.count {
                    text += (0..<t).map { String(scores[r * t + $0]) }.joined(separator: ",") + "\n"
                }
                out.write(Data(text.utf8))
                total += pending.count
                pending.removeAll(keepingCapacity: true)
            }
            while let (line, values) = try rows.next() {
                do {
                    pending.append(try encoder.encode(values))
                } catch {
                    throw DataError.invalidRequest("\(input):\(line): \(error)")
                }
                if pending.count == batchSize { flush() }
            }
            flush()
            try out.synchronize()
            try out.close()
            if FileManager.default.fileExists(atPath: output) { try FileManager.default.removeItem(atPath: output) }
            try FileManager.default.moveItem(atPath: temporary, toPath: output)
            FileHandle.standardError.write(Data("wrote \(total) rows × \(saved.schema.tasks.count) tasks to \(output)\n".utf8))
        }
    }
}

/// Raw rows of a JSON Lines or CSV/TSV file.
private final class RowSource {
    private let lines: LineReader?
    private let table: RawRowReader?
    private let path: String

    init(path: String) throws {
        self.path = path
        let ext = URL(fileURLWithPath: path).pathExtension.lowercased()
        switch ext {
        case "jsonl", "ndjson":
            lines = try LineReader(path: path)
            table = nil
        case "csv", "tsv":
            lines = nil
            table = try RawRowReader(path: path, format: TextFormat(delimiter: ext == "tsv" ? "\t" : ","))
        default:
            throw ValidationError("--input must end in .jsonl, .ndjson, .csv or .tsv, found '\(path)'")
        }
    }

    /// The next row with its line number.
    func next() throws -> (Int, [String: RawValue])? {
        if let table { return try table.next() }
        guard let lines else { return nil }
        while let line = try lines.next() {
            if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) { continue }
            do {
                return (lines.lineNumber, try JSONDecoder().decode([String: RawValue].self, from: line))
            } catch {
                throw DataError.invalidRequest("\(path):\(lines.lineNumber): expected a JSON object of feature values: \(error)")
            }
        }
        return nil
    }
}
