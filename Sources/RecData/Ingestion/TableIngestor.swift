import Randomness
/// Ingests files with one sample per row: ids, numbers, list-valued sequences and label columns.
final class TableIngestor {
    private let session: IngestionSession
    private let plan: EncodingPlan
    /// Per categorical field, the builder of its vocabulary.
    private let categoricalBuilders: [VocabularyBuilder]
    /// Per sequence field, the builder of its vocabulary.
    private let sequenceBuilders: [VocabularyBuilder]

    /// Reusable per-row buffers, kept local to the reading loop.
    private struct Scratch {
        var codes: [Int32]
        var numbers: [Double]
        var encodedNumbers: [Float]
        var labels: [Float]
        var weights: [Float]
        var items: [Range<Int>] = []
        var statistics: [NumericStatistics]
    }

    /// An ingestor writing through `session`.
    init(session: IngestionSession) {
        self.session = session
        plan = session.plan
        categoricalBuilders = session.plan.categorical.map { session.vocabularies[$0.vocabulary] }
        sequenceBuilders = session.plan.sequences.map { session.vocabularies[$0.vocabulary] }
    }

    /// Reads every row of `input` into the session; returns the file's size in bytes.
    func ingest(_ input: IngestInput) throws -> Int {
        let format = plan.schema.format
        let reader = try DelimitedRecordReader(path: input.path, format: format)
        let names = try reader.readColumnNames(format: format, declared: plan.schema.columns)
        let binding = try ColumnBinding(plan: plan, names: names, file: reader.displayName)
        let checks = RowChecks(file: reader.displayName, columnNames: names, maxFieldBytes: format.maxFieldBytes)
        var scratch = Scratch(
            codes: Array(repeating: 0, count: plan.categorical.count),
            numbers: Array(repeating: 0, count: plan.numeric.count),
            encodedNumbers: Array(repeating: 0, count: plan.numeric.count),
            labels: Array(repeating: 0, count: plan.labels.count),
            weights: Array(repeating: 0, count: plan.labels.count),
            statistics: session.numericStatistics)
        defer { session.numericStatistics = scratch.statistics }
        var rowIndex: UInt64 = 0
        var encodedRows = 0
        while let record = try reader.nextRecord() {
            let split = Self.split(of: rowIndex, assignment: input.assignment)
            rowIndex += 1
            do {
                try checks.check(record, used: binding.used)
                try encode(record, into: split, binding: binding, checks: checks, scratch: &scratch)
                encodedRows += 1
            } catch let error as DataError {
                try session.skipBadRow(error)
            }
        }
        if encodedRows == 0 {
            throw DataError.emptyInput(file: reader.displayName, reason: format.header ? "no data rows after the header" : "no data rows")
        }
        return reader.fileSize
    }

    /// The split of the row at `index` under `assignment`.
    @inline(__always)
    static func split(of index: UInt64, assignment: SplitAssignment) -> SplitName {
        switch assignment {
        case let .whole(split):
            return split
        case let .divided(spec):
            let draw = SplitMix64.uniform(seed: spec.seed, index: index)
            if draw < spec.test { return .test }
            if draw < spec.test + spec.validation { return .validation }
            return .train
        }
    }

    private func encode(
        _ record: RawRecord, into split: SplitName, binding: ColumnBinding, checks: RowChecks, scratch: inout Scratch
    ) throws {
        let fields = record.fields
        // Parse everything that can fail before anything is written, so a bad row leaves no trace.
        for (position, index) in binding.numeric.enumerated() {
            let bytes = fields[index].bytes
            if plan.isMissing(bytes) {
                scratch.numbers[position] = .nan
            } else if let value = NumberParsing.storable(bytes) {
                scratch.numbers[position] = value
            } else {
                throw checks.malformed(record, field: index, expected: NumberParsing.storableExpectation)
            }
        }
        for (position, label) in plan.labels.enumerated() {
            let index = binding.labels[position]!
            let bytes = fields[index].bytes
            if plan.isMissing(bytes) {
                scratch.labels[position] = 0
                scratch.weights[position] = 0
                continue
            }
            guard let value = labelValue(label, bytes: bytes) else {
                throw checks.malformed(record, field: index, expected: label.kind == .binary ? "0 or 1" : NumberParsing.storableExpectation)
            }
            scratch.labels[position] = value
            scratch.weights[position] = 1
            if let maskIndex = binding.masks[position], let mask = label.mask,
               !mask.value.withUnsafeBufferPointer({ memoryEquals($0, fields[maskIndex].bytes) }) {
                scratch.weights[position] = 0
            }
        }

        let training = split == .train
        let writer = session.writer(split)
        for (position, index) in binding.categorical.enumerated() {
            let bytes = fields[index].bytes
            scratch.codes[position] = plan.isMissing(bytes)
                ? Vocabulary.missingID : categoricalBuilders[position].code(bytes, training: training)
        }
        for position in scratch.numbers.indices {
            let value = scratch.numbers[position]
            if training && !value.isNaN { scratch.statistics[position].add(value) }
            scratch.encodedNumbers[position] = Float(value)
        }
        try scratch.codes.withUnsafeBufferPointer { try writer.categorical.append(contentsOf: $0) }
        try scratch.encodedNumbers.withUnsafeBufferPointer { try writer.numeric.append(contentsOf: $0) }
        try scratch.labels.withUnsafeBufferPointer { try writer.labels.append(contentsOf: $0) }
        try scratch.weights.withUnsafeBufferPointer { try writer.labelWeights.append(contentsOf: $0) }
        for (position, sequence) in plan.sequences.enumerated() {
            try appendSequence(
                fields[binding.sequences[position]!].bytes, field: position, maxLength: sequence.maxLength,
                separator: sequence.separator!, writer: writer, training: training, items: &scratch.items)
        }
        if let groupIndex = binding.group, let groups = writer.groups {
            try groups.append(session.groups.intern(fields[groupIndex].bytes))
        }
        writer.rowCount += 1
    }

    /// The label encoded from `bytes`, or nil when the bytes do not fit the label's kind.
    private func labelValue(_ label: EncodingPlan.Label, bytes: UnsafeBufferPointer<UInt8>) -> Float? {
        if let positive = label.positive {
            return positive.contains(bytes) ? 1 : 0
        }
        guard let value = NumberParsing.storable(bytes) else { return nil }
        if label.kind == .binary && value != 0 && value != 1 { return nil }
        return Float(value)
    }

    /// Splits a list field, keeps its newest `maxLength` non-missing items and appends their codes.
    private func appendSequence(
        _ bytes: UnsafeBufferPointer<UInt8>, field: Int, maxLength: Int, separator: UInt8, writer: SplitWriter,
        training: Bool, items: inout [Range<Int>]
    ) throws {
        items.removeAll(keepingCapacity: true)
        let trim = plan.schema.format.trimWhitespace
        var start = 0
        for end in 0...bytes.count where end == bytes.count || bytes[end] == separator {
            let item = trim && end > start ? ValueTrimming.trimmed(bytes.baseAddress!, start..<end) : start..<end
            if !plan.isMissing(UnsafeBufferPointer(rebasing: bytes[item])) { items.append(item) }
            start = end + 1
        }
        let kept = items.suffix(maxLength)
        let values = writer.sequenceValues[field]
        try writer.sequenceStarts[field].append(Int64(values.count))
        try writer.sequenceLengths[field].append(Int32(kept.count))
        let builder = sequenceBuilders[field]
        for range in kept {
            try values.append(builder.code(UnsafeBufferPointer(rebasing: bytes[range]), training: training))
        }
    }
}
