/// Ingests files with one sample per row: ids, numbers, list-valued sequences and label columns.
final class TableIngestor {
    private let session: IngestionSession
    private var plan: EncodingPlan { session.plan }
    private var numericScratch: [Double]
    private var labelScratch: [Float]
    private var weightScratch: [Float]
    private var itemScratch: [Range<Int>] = []

    /// An ingestor writing through `session`.
    init(session: IngestionSession) {
        self.session = session
        numericScratch = Array(repeating: 0, count: session.plan.numeric.count)
        labelScratch = Array(repeating: 0, count: session.plan.labels.count)
        weightScratch = Array(repeating: 0, count: session.plan.labels.count)
    }

    /// Reads every row of `input` into the session; returns the file's size in bytes.
    func ingest(_ input: IngestInput) throws -> Int {
        let format = plan.schema.format
        let reader = try DelimitedRecordReader(path: input.path, format: format)
        let names = try reader.readColumnNames(format: format, declared: plan.schema.columns)
        let binding = try ColumnBinding(plan: plan, names: names, file: reader.displayName)
        let checks = RowChecks(file: reader.displayName, columnNames: names, maxFieldBytes: format.maxFieldBytes)
        var rowIndex: UInt64 = 0
        var encodedRows = 0
        while let record = try reader.nextRecord() {
            let split = Self.split(of: rowIndex, assignment: input.assignment)
            rowIndex += 1
            do {
                try checks.check(record, used: binding.used)
                try encode(record, into: split, binding: binding, checks: checks)
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

    private func encode(_ record: RawRecord, into split: SplitName, binding: ColumnBinding, checks: RowChecks) throws {
        let fields = record.fields
        // Parse everything that can fail before anything is written, so a bad row leaves no trace.
        for (position, index) in binding.numeric.enumerated() {
            let bytes = fields[index].bytes
            if plan.isMissing(bytes) {
                numericScratch[position] = .nan
            } else if let value = NumberParsing.double(bytes) {
                numericScratch[position] = value
            } else {
                throw checks.malformed(record, field: index, expected: "a number")
            }
        }
        for (position, label) in plan.labels.enumerated() {
            let index = binding.labels[position]!
            let bytes = fields[index].bytes
            var weight: Float = 1
            if let maskIndex = binding.masks[position], let mask = label.mask {
                weight = mask.value.withUnsafeBufferPointer { memoryEquals($0, fields[maskIndex].bytes) } ? 1 : 0
            }
            if plan.isMissing(bytes) {
                labelScratch[position] = 0
                weightScratch[position] = 0
                continue
            }
            guard let value = labelValue(label, bytes: bytes) else {
                throw checks.malformed(record, field: index, expected: label.kind == .binary ? "0 or 1" : "a number")
            }
            labelScratch[position] = value
            weightScratch[position] = weight
        }

        let training = split == .train
        let writer = session.writer(split)
        for (position, index) in binding.categorical.enumerated() {
            let bytes = fields[index].bytes
            let code = plan.isMissing(bytes)
                ? Vocabulary.missingID
                : session.vocabularies[plan.categorical[position].vocabulary].code(bytes, training: training)
            try writer.categorical.append(code)
        }
        for position in numericScratch.indices {
            let value = numericScratch[position]
            if training && !value.isNaN { session.numericStatistics[position].add(value) }
            try writer.numeric.append(Float(value))
        }
        for position in labelScratch.indices {
            try writer.labels.append(labelScratch[position])
            try writer.labelWeights.append(weightScratch[position])
        }
        for (position, sequence) in plan.sequences.enumerated() {
            try appendSequence(fields[binding.sequences[position]!].bytes, field: position, sequence: sequence, writer: writer, training: training)
        }
        if let groupIndex = binding.group, let groups = writer.groups {
            try groups.append(session.groups.intern(fields[groupIndex].bytes))
        }
        writer.rowCount += 1
    }

    /// The label encoded from `bytes`, or nil when the bytes do not fit the label's kind.
    private func labelValue(_ label: EncodingPlan.Label, bytes: UnsafeBufferPointer<UInt8>) -> Float? {
        if let positive = label.positive {
            return positive.contains { $0.withUnsafeBufferPointer { memoryEquals($0, bytes) } } ? 1 : 0
        }
        guard let value = NumberParsing.double(bytes) else { return nil }
        if label.kind == .binary && value != 0 && value != 1 { return nil }
        return Float(value)
    }

    /// Splits a list field, keeps its newest `maxLength` non-missing items and appends their codes.
    private func appendSequence(
        _ bytes: UnsafeBufferPointer<UInt8>, field: Int, sequence: EncodingPlan.Sequence, writer: SplitWriter, training: Bool
    ) throws {
        itemScratch.removeAll(keepingCapacity: true)
        let separator = sequence.separator!
        let trim = plan.schema.format.trimWhitespace
        var start = 0
        for end in 0...bytes.count where end == bytes.count || bytes[end] == separator {
            var first = start
            var last = end
            if trim {
                while first < last && (bytes[first] == 0x20 || bytes[first] == 0x09) { first += 1 }
                while last > first && (bytes[last - 1] == 0x20 || bytes[last - 1] == 0x09) { last -= 1 }
            }
            if !plan.isMissing(UnsafeBufferPointer(rebasing: bytes[first..<last])) { itemScratch.append(first..<last) }
            start = end + 1
        }
        let kept = itemScratch.suffix(sequence.maxLength)
        let values = writer.sequenceValues[field]
        try writer.sequenceStarts[field].append(Int64(values.count))
        try writer.sequenceLengths[field].append(Int32(kept.count))
        let vocabulary = session.vocabularies[sequence.vocabulary]
        for range in kept {
            try values.append(vocabulary.code(UnsafeBufferPointer(rebasing: bytes[range]), training: training))
        }
    }
}
