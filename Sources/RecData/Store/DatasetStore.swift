import Foundation

/// The on-disk dataset store: ingestion into it, reuse checks, and memory-mapped loading.
///
/// A store is a folder (layout in `StoreLayout`) built in a sibling `.partial` folder and moved into place
/// only when complete. It is reused when the manifest's schema fingerprint, format version and input
/// files (path, role, size, modification time) all match and the bad-row limit asked for would have
/// let through the rows it skipped; otherwise it is rebuilt.
public enum DatasetStore {
    /// Ingests `inputs` under `schema` into a new store at `directory`, replacing any store there.
    public static func ingest(
        schema: DataSchema, inputs: [IngestInput], into directory: String, options: IngestOptions = IngestOptions()
    ) throws -> IngestReport {
        let started = Date()
        try schema.validate(source: schema.name)
        if inputs.isEmpty { throw DataError.invalidRequest("no input files to ingest") }
        let partial = directory + ".partial"
        let files = FileManager.default
        try? files.removeItem(atPath: partial)
        defer { try? files.removeItem(atPath: partial) }
        let plan = EncodingPlan(schema)
        let session = try IngestionSession(plan: plan, options: options, directory: partial)
        var inputBytes = 0
        if schema.eventLog != nil {
            inputBytes = try EventLogIngestor(session: session, temporaryDirectory: partial).ingest(inputs)
        } else {
            let ingestor = TableIngestor(session: session)
            for input in inputs { inputBytes += try ingestor.ingest(input) }
        }
        let (vocabularies, transforms) = try session.finish()
        let encoder = plan.featureEncoder(vocabularies: vocabularies, transforms: transforms)
        try writeJSON(encoder.schema, to: partial + "/" + StoreLayout.schema)
        try writeJSON(encoder, to: partial + "/" + StoreLayout.encoder)
        try write(Data(try schema.yaml().utf8), to: partial + "/" + StoreLayout.sourceSchema)
        var sizes: [String: Int] = [:]
        for field in encoder.schema.categorical { sizes[field.name] = field.vocabularySize }
        for field in encoder.schema.sequences { sizes[field.name] = field.vocabularySize }
        let manifest = StoreManifest(
            formatVersion: StoreManifest.currentFormatVersion, schemaFingerprint: hex(schema.fingerprint),
            sources: try inputs.map(stamp),
            splits: try splitEntries(in: partial, schema: encoder.schema) { session.writer($0).rowCount },
            vocabularySizes: sizes, skippedRows: session.skippedRows)
        try writeJSON(manifest, to: partial + "/" + StoreLayout.manifest)
        try replace(directory, with: partial)
        return IngestReport(
            rowCounts: Dictionary(uniqueKeysWithValues: manifest.splits.map { ($0.name, $0.rowCount) }),
            skippedRows: session.skippedRows, skippedExamples: session.skippedExamples, inputBytes: inputBytes,
            seconds: Date().timeIntervalSince(started), reused: false)
    }

    /// Opens the store at `directory` if it was built from `schema` and unchanged `inputs`, and ingests
    /// into it otherwise.
    public static func openOrIngest(
        schema: DataSchema, inputs: [IngestInput], directory: String, options: IngestOptions = IngestOptions()
    ) throws -> (dataset: EncodedDataset, report: IngestReport) {
        let started = Date()
        if let manifest = try? readManifest(directory), try isCurrent(manifest, schema: schema, inputs: inputs, options: options),
           let dataset = try? open(directory) {
            let report = IngestReport(
                rowCounts: Dictionary(uniqueKeysWithValues: manifest.splits.map { ($0.name, $0.rowCount) }),
                skippedRows: manifest.skippedRows, skippedExamples: [], inputBytes: 0,
                seconds: Date().timeIntervalSince(started), reused: true)
            return (dataset, report)
        }
        let report = try ingest(schema: schema, inputs: inputs, into: directory, options: options)
        return (try open(directory), report)
    }

    /// Whether a store with `manifest` is the one ingesting the current state of `inputs` under
    /// `schema` and `options` would build. Skipping bad rows is deterministic, so a store that
    /// skipped `k` rows is what any limit of at least `k` builds, and a stricter limit must ingest
    /// again (and then stops at the first bad row beyond it).
    public static func isCurrent(
        _ manifest: StoreManifest, schema: DataSchema, inputs: [IngestInput], options: IngestOptions
    ) throws -> Bool {
        let sources = try inputs.map(stamp)
        return manifest.formatVersion == StoreManifest.currentFormatVersion
            && manifest.schemaFingerprint == hex(schema.fingerprint)
            && manifest.sources == sources
            && manifest.skippedRows <= options.maxBadRows
    }

    /// Reads the manifest of the store at `directory`; a store of another format version is
    /// refused with a ``FormatVersionError`` naming its manifest.
    public static func readManifest(_ directory: String) throws -> StoreManifest {
        let path = directory + "/" + StoreLayout.manifest
        if let data = FileManager.default.contents(atPath: path) {
            let current = StoreManifest.currentFormatVersion
            try FormatVersion.check(data, key: "formatVersion", readable: current...current, file: path,
                                    remedy: "ingest the data again (dtrn data ingest --force)")
        }
        return try readJSON(StoreManifest.self, from: path, store: directory)
    }

    /// Maps the store at `directory`; with `verifyChecksums`, every array file's checksum is compared with
    /// the manifest (this reads all the data).
    public static func open(_ directory: String, verifyChecksums: Bool = false) throws -> EncodedDataset {
        let manifest = try readManifest(directory)
        let schema = try readJSON(DatasetSchema.self, from: directory + "/" + StoreLayout.schema, store: directory)
        let encoderPath = directory + "/" + StoreLayout.encoder
        let encoder = FileManager.default.fileExists(atPath: encoderPath)
            ? try readJSON(FeatureEncoder.self, from: encoderPath, store: directory) : nil
        var splits: [SplitName: EncodedSplit] = [:]
        for entry in manifest.splits {
            var mapped: [String: MappedFile] = [:]
            for file in entry.files {
                let path = directory + "/" + entry.name.rawValue + "/" + file.name
                let mapping = try MappedFile(path: path)
                if mapping.count != file.bytes {
                    throw DataError.invalidStore(directory: directory, reason: "\(entry.name.rawValue)/\(file.name) has \(mapping.count) bytes, the manifest says \(file.bytes)")
                }
                if verifyChecksums && hex(mapping.checksum) != file.checksum {
                    throw DataError.invalidStore(directory: directory, reason: "\(entry.name.rawValue)/\(file.name) does not match its checksum")
                }
                mapped[file.name] = mapping
            }
            func file(_ name: String) throws -> MappedFile {
                guard let mapping = mapped[name] else {
                    throw DataError.invalidStore(directory: directory, reason: "\(entry.name.rawValue)/\(name) is missing")
                }
                return mapping
            }
            func categorical() throws -> IDColumn {
                for width in IDColumn.Width.allCases {
                    if let mapping = mapped[StoreLayout.categorical(width)] { return IDColumn(mapped: mapping, width: width) }
                }
                throw DataError.invalidStore(directory: directory, reason: "\(entry.name.rawValue) has no categorical ids file")
            }
            let sequences = try schema.sequences.indices.map { index in
                EncodedSequence(
                    values: Column(mapped: try file(StoreLayout.sequenceValues(index))),
                    starts: Column(mapped: try file(StoreLayout.sequenceStarts(index))),
                    lengths: Column(mapped: try file(StoreLayout.sequenceLengths(index))))
            }
            splits[entry.name] = try EncodedSplit(
                schema: schema, rowCount: entry.rowCount,
                categorical: try categorical(),
                numeric: Column(mapped: try file(StoreLayout.numeric)),
                sequences: sequences,
                labels: Column(mapped: try file(StoreLayout.labels)),
                labelWeights: Column(mapped: try file(StoreLayout.labelWeights)),
                groups: schema.groupKey == nil ? nil : Column(mapped: try file(StoreLayout.groups)))
        }
        func split(_ name: SplitName) throws -> EncodedSplit {
            guard let split = splits[name] else {
                throw DataError.invalidStore(directory: directory, reason: "the manifest lists no \(name.rawValue) split")
            }
            return split
        }
        return EncodedDataset(
            schema: schema, encoder: encoder, train: try split(.train), validation: try split(.validation), test: try split(.test))
    }

    /// Writes an in-memory dataset (for example synthetic data) as a store at `directory`.
    public static func write(_ dataset: EncodedDataset, to directory: String) throws {
        let partial = directory + ".partial"
        let files = FileManager.default
        try? files.removeItem(atPath: partial)
        defer { try? files.removeItem(atPath: partial) }
        for name in SplitName.allCases {
            let split = dataset[name]
            let folder = partial + "/" + name.rawValue
            do {
                try files.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw DataError.io(path: folder, reason: "cannot create the folder (\(error.localizedDescription))")
            }
            try split.categorical.withUnsafeBytes { try write(Data($0), to: folder + "/" + StoreLayout.categorical(split.categorical.width)) }
            try write(split.numeric, to: folder + "/" + StoreLayout.numeric)
            try write(split.labels, to: folder + "/" + StoreLayout.labels)
            try write(split.labelWeights, to: folder + "/" + StoreLayout.labelWeights)
            if let groups = split.groups { try write(groups, to: folder + "/" + StoreLayout.groups) }
            for (index, sequence) in split.sequences.enumerated() {
                try write(sequence.values, to: folder + "/" + StoreLayout.sequenceValues(index))
                try write(sequence.starts, to: folder + "/" + StoreLayout.sequenceStarts(index))
                try write(sequence.lengths, to: folder + "/" + StoreLayout.sequenceLengths(index))
            }
        }
        try writeJSON(dataset.schema, to: partial + "/" + StoreLayout.schema)
        if let encoder = dataset.encoder { try writeJSON(encoder, to: partial + "/" + StoreLayout.encoder) }
        var sizes: [String: Int] = [:]
        for field in dataset.schema.categorical { sizes[field.name] = field.vocabularySize }
        for field in dataset.schema.sequences { sizes[field.name] = field.vocabularySize }
        let manifest = StoreManifest(
            formatVersion: StoreManifest.currentFormatVersion, schemaFingerprint: "", sources: [],
            splits: try splitEntries(in: partial, schema: dataset.schema) { dataset[$0].rowCount }, vocabularySizes: sizes, skippedRows: 0)
        try writeJSON(manifest, to: partial + "/" + StoreLayout.manifest)
        try replace(directory, with: partial)
    }

    // MARK: - Helpers

    private static func splitEntries(
        in directory: String, schema: DatasetSchema, rowCount: (SplitName) -> Int
    ) throws -> [StoreManifest.SplitEntry] {
        return try SplitName.allCases.map { split in
            let folder = directory + "/" + split.rawValue
            let width = IDColumn.Width.allCases.first {
                FileManager.default.fileExists(atPath: folder + "/" + StoreLayout.categorical($0))
            } ?? .four
            let names = StoreLayout.splitFiles(categoricalWidth: width, sequenceCount: schema.sequences.count,
                                               hasGroups: schema.groupKey != nil)
            let files = try names.map { name -> StoreManifest.FileEntry in
                let mapping = try MappedFile(path: directory + "/" + split.rawValue + "/" + name)
                return StoreManifest.FileEntry(name: name, bytes: mapping.count, checksum: hex(mapping.checksum))
            }
            return StoreManifest.SplitEntry(name: split, rowCount: rowCount(split), files: files)
        }
    }

    private static func stamp(_ input: IngestInput) throws -> StoreManifest.SourceStamp {
        let path = URL(fileURLWithPath: input.path).standardizedFileURL.path
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: path)
        } catch {
            throw DataError.io(path: input.path, reason: "cannot read the file's attributes (no such file?)")
        }
        let role: String
        switch input.assignment {
        case let .whole(split): role = split.rawValue
        case let .divided(spec): role = "divided \(spec.validation)/\(spec.test) seed \(spec.seed)"
        }
        return StoreManifest.SourceStamp(
            path: path, role: role, bytes: (attributes[.size] as? NSNumber)?.intValue ?? 0,
            modified: (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)
    }

    private static func replace(_ directory: String, with partial: String) throws {
        let files = FileManager.default
        try? files.removeItem(atPath: directory)
        do {
            try files.moveItem(atPath: partial, toPath: directory)
        } catch {
            throw DataError.io(path: directory, reason: "cannot move the new store into place (\(error.localizedDescription))")
        }
    }

    private static func write<Element>(_ column: Column<Element>, to path: String) throws {
        let data = column.withUnsafeBufferPointer { Data(buffer: $0) }
        try write(data, to: path)
    }

    private static func write(_ data: Data, to path: String) throws {
        do {
            try data.write(to: URL(fileURLWithPath: path))
        } catch {
            throw DataError.io(path: path, reason: "cannot write (\(error.localizedDescription))")
        }
    }

    private static func writeJSON<Value: Encodable>(_ value: Value, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try write(try encoder.encode(value), to: path)
    }

    private static func readJSON<Value: Decodable>(_ type: Value.Type, from path: String, store: String) throws -> Value {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DataError.invalidStore(directory: store, reason: "\((path as NSString).lastPathComponent) is missing")
        }
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw DataError.invalidStore(directory: store, reason: "\((path as NSString).lastPathComponent) is unreadable (\(error))")
        }
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
