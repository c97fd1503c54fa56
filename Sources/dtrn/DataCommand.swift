import ArgumentParser
import Foundation
import RecData

/// `dtrn data …`: ingest datasets into the binary store, inspect stores, print built-in schemas.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Prepare datasets: ingest CSV/TSV files or event logs into the binary store and inspect it.",
        subcommands: [Generate.self, GenerateEvents.self, Ingest.self, Inspect.self, Schema.self]
    )

    /// `dtrn data ingest`: a built-in dataset by name, or any file with a schema.
    struct Ingest: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Encode a dataset into the columnar store (reused when neither input nor schema changed).",
            discussion: """
            Built-in: dtrn data ingest census-income [--input FOLDER] [--cache data-cache]
            Any file: dtrn data ingest --schema clicks.yaml --input clicks.csv --out data-cache/clicks
            With only --input, its rows are divided by the schema's `split` shares (default 80/10/10).
            """
        )

        @Argument(help: "A built-in dataset: census-income, ali-ccp or taobao.")
        var dataset: String?

        @Option(help: "The schema (YAML or JSON); required without a built-in dataset, overrides its schema otherwise.")
        var schema: String?

        @Option(help: "The input: a file, or for a built-in dataset its file or folder.")
        var input: String?

        @Option(help: "A validation file; then --input is the training file.")
        var validation: String?

        @Option(help: "A test file; then --input is the training file.")
        var test: String?

        @Option(help: "The store folder (default: CACHE/NAME).")
        var out: String?

        @Option(help: "The cache folder for built-in datasets.")
        var cache = "data-cache"

        @Option(help: "Where the default copies of built-in datasets live.")
        var dataRoot = "../shared/data"

        @Option(help: "Skip up to this many malformed rows instead of stopping at the first.")
        var maxBadRows = 0

        @Option(help: "Count a task only where a column has a value, as TASK:COLUMN=VALUE (e.g. purchase:click=1).")
        var mask: [String] = []

        @Flag(help: "Rebuild the store even when it is current.")
        var force = false

        func run() throws {
            try reportingErrors(ingest)
        }

        private func ingest() throws {
            let builtin = try dataset.map(BuiltinDataset.named)
            var dataSchema: DataSchema
            if let schema {
                dataSchema = try DataSchema.load(from: URL(fileURLWithPath: schema))
            } else if let builtin {
                dataSchema = try builtin.schema()
            } else {
                throw DataError.invalidRequest("name a built-in dataset or give --schema")
            }
            for rule in mask {
                let parts = rule.split(separator: ":", maxSplits: 1)
                let condition = parts.count == 2 ? parts[1].split(separator: "=", maxSplits: 1) : []
                guard parts.count == 2, condition.count == 2 else {
                    throw DataError.invalidRequest("--mask expects TASK:COLUMN=VALUE, found '\(rule)'")
                }
                dataSchema = try dataSchema.maskingTask(String(parts[0]), where: String(condition[0]), equals: String(condition[1]))
            }
            let inputs = try resolveInputs(builtin: builtin, schema: dataSchema)
            guard let directory = out ?? builtin.map({ cache + "/" + $0.name }) else {
                throw DataError.invalidRequest("give --out for the store folder")
            }
            let options = IngestOptions(maxBadRows: maxBadRows)
            let report: IngestReport
            if force {
                report = try DatasetStore.ingest(schema: dataSchema, inputs: inputs, into: directory, options: options)
            } else {
                report = try DatasetStore.openOrIngest(schema: dataSchema, inputs: inputs, directory: directory, options: options).report
            }
            print(describe(report, directory: directory))
        }

        private func resolveInputs(builtin: BuiltinDataset?, schema: DataSchema) throws -> [IngestInput] {
            if let builtin, validation == nil, test == nil {
                return try builtin.inputs(at: input, dataRoot: dataRoot)
            }
            guard let input else { throw DataError.invalidRequest("give --input") }
            if validation == nil && test == nil {
                return [IngestInput(path: input, assignment: .divided(schema.split ?? SplitSpec()))]
            }
            guard let validation, let test else {
                throw DataError.invalidRequest("give both --validation and --test, or neither")
            }
            return [
                IngestInput(path: input, assignment: .whole(.train)),
                IngestInput(path: validation, assignment: .whole(.validation)),
                IngestInput(path: test, assignment: .whole(.test)),
            ]
        }

        private func describe(_ report: IngestReport, directory: String) -> String {
            let rows = SplitName.allCases.map { "\($0.rawValue) \(report.rowCounts[$0] ?? 0)" }.joined(separator: ", ")
            var lines = [report.reused ? "reused the current store \(directory)" : "wrote \(directory)", "rows: \(rows)"]
            if !report.reused {
                let megabytes = Double(report.inputBytes) / 1_000_000
                lines.append(String(
                    format: "read %.1f MB in %.2f s (%.0f MB/s)", megabytes, report.seconds, megabytes / max(report.seconds, 1e-9)))
            } else {
                lines.append(String(format: "opened in %.3f s", report.seconds))
            }
            if report.skippedRows > 0 {
                lines.append("skipped \(report.skippedRows) malformed rows" + (report.skippedExamples.isEmpty ? "" : ", first:"))
                lines += report.skippedExamples.map { "  " + $0 }
            }
            lines.append("peak memory: \(peakResidentMegabytes()) MB")
            return lines.joined(separator: "\n")
        }
    }

    /// `dtrn data inspect DIR`: rows, fields, vocabulary sizes, label rates and sequence lengths.
    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Describe a dataset store.")

        @Argument(help: "The store folder.")
        var directory: String

        @Flag(help: "Also compare every file with its checksum.")
        var verify = false

        func run() throws {
            try reportingErrors {
                let manifest = try DatasetStore.readManifest(directory)
                let dataset = try DatasetStore.open(directory, verifyChecksums: verify)
                print(render(dataset, manifest: manifest))
            }
        }

        private func render(_ dataset: EncodedDataset, manifest: StoreManifest) -> String {
            let schema = dataset.schema
            var lines = ["dataset \(schema.name) in \(directory)"]
            if verify { lines.append("checksums verified") }
            lines.append("sources: " + (manifest.sources.isEmpty ? "(in-memory)" : manifest.sources.map { "\($0.path) [\($0.role)]" }.joined(separator: ", ")))
            if manifest.skippedRows > 0 { lines.append("malformed rows skipped: \(manifest.skippedRows)") }
            lines.append("categorical fields (\(schema.categorical.count)):")
            lines += schema.categorical.map { "  \($0.name): vocabulary \($0.vocabularySize)" }
            lines.append("numeric fields (\(schema.numeric.count)): " + schema.numeric.map(\.name).joined(separator: ", "))
            if !schema.sequences.isEmpty {
                lines.append("sequence fields (\(schema.sequences.count)):")
                lines += schema.sequences.map { field in
                    let shared = field.sharesVocabularyWith.map { ", shares the vocabulary of \($0)" } ?? ""
                    return "  \(field.name): behaviour \(field.behaviour ?? "-"), max length \(field.maxLength), vocabulary \(field.vocabularySize)\(shared)"
                }
            }
            lines.append("tasks: " + schema.tasks.map { "\($0.name) (\($0.kind.rawValue))" }.joined(separator: ", "))
            if let key = schema.groupKey { lines.append("group key: \(key)") }
            for name in SplitName.allCases {
                let summary = SplitSummary(dataset[name], schema: schema)
                let groups = summary.groupCount.map { ", \($0) groups" } ?? ""
                let width = dataset[name].categorical.width.rawValue
                lines.append("\(name.rawValue): \(summary.rowCount) rows\(groups), categorical ids \(width) byte\(width == 1 ? "" : "s") each")
                for (index, task) in schema.tasks.enumerated() {
                    lines.append(String(
                        format: "  %@: mean label %.4f over %d rows, masked %.1f%%", task.name,
                        summary.labelMeans[index], summary.labelledCounts[index], summary.maskedShares[index] * 100))
                }
                for (index, field) in schema.sequences.enumerated() {
                    let buckets = zip(SplitSummary.lengthBucketLabels, summary.sequenceLengthHistograms[index])
                        .map { "\($0):\($1)" }.joined(separator: " ")
                    lines.append(String(format: "  %@ lengths (mean %.1f): ", field.name, summary.meanSequenceLengths[index]) + buckets)
                }
            }
            return lines.joined(separator: "\n")
        }
    }

    /// `dtrn data generate`: draws the built-in synthetic dataset, prints its summary (with
    /// every task's oracle and learnable-ceiling AUC) and, with `--out`, writes it as a store.
    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate the synthetic dataset with a chosen task conflict; print its summary, optionally store it.")

        @Option(help: "Task conflict in [0, 1]: 0 the tasks agree, 1 they need opposed shared representations.")
        var conflict: Double?

        @Option(help: "Training rows.")
        var rows: Int?

        @Option(help: "The generator's seed.")
        var seed: UInt64?

        @Option(help: "Write the data as a store folder here (usable as --data FOLDER).")
        var out: String?

        func run() throws {
            try reportingErrors {
                var config = SyntheticConfig()
                if let conflict { config.conflict = conflict }
                if let rows { config.trainRows = rows }
                if let seed { config.seed = seed }
                let data = try SyntheticGenerator(config: config).generate()
                print(data.summary)
                if let out {
                    try DatasetStore.write(try data.encoded(), to: out)
                    print("stored in \(out)")
                }
            }
        }
    }

    /// `dtrn data generate-events`: a Taobao-UserBehavior-shaped event log of any size.
    struct GenerateEvents: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "generate-events",
            abstract: "Write a Taobao-UserBehavior-shaped event log (power-law users and items, pv ≫ cart/fav/buy).",
            discussion: """
            dtrn data generate-events --events 100000000 --out events.csv
            dtrn data ingest taobao --input events.csv --out data-cache/events-100m
            """)

        @Option(help: "Events to write.")
        var events = 1_000_000

        @Option(help: "Distinct users (default: events / 100).")
        var users: Int?

        @Option(help: "Distinct items (default: events / 25).")
        var items: Int?

        @Option(help: "Distinct categories.")
        var categories = 9_439

        @Option(help: "The generator's seed.")
        var seed: UInt64 = 1

        @Option(help: "The CSV file to write.")
        var out: String

        func run() throws {
            try reportingErrors {
                var config = EventLogGenerator.Config()
                (config.events, config.users, config.items, config.categories, config.seed) = (events, users, items, categories, seed)
                let start = Date()
                let summary = try EventLogGenerator(config: config).write(to: out) { written in
                    if written % 10_000_000 == 0 { FileHandle.standardError.write(Data("\(written) events\n".utf8)) }
                }
                let seconds = Date().timeIntervalSince(start)
                let shares = ["pv", "cart", "fav", "buy"].map { "\($0) \(summary.behaviours[$0] ?? 0)" }.joined(separator: ", ")
                print(String(format: "wrote %d events (%@; %d users, %d items) to %@: %.0f MB in %.1f s", events, shares,
                             config.userCount, config.itemCount, out, Double(summary.bytes) / 1e6, seconds))
            }
        }
    }

    /// `dtrn data schema NAME`: prints a built-in dataset's schema.
    struct Schema: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the YAML schema of a built-in dataset.")

        @Argument(help: "census-income, ali-ccp or taobao.")
        var dataset: String

        func run() throws {
            try reportingErrors {
                print(try BuiltinDataset.named(dataset).schemaYAML)
            }
        }
    }
}
