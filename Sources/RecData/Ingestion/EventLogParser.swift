/// A block of events read from an event log: what pass 1 interns, copied out of the reader's buffer,
/// and the rest already decoded; rows that do not fit the schema come as their errors.
struct ParsedEventBlock: Sendable {
    /// The events of the block.
    var count = 0
    /// Per event, the index of its behaviour in the ingestor's behaviour list.
    var behaviours: [UInt32] = []
    var times: [Int64] = []
    /// Per event, `keysPerEvent` keys — the user, then each categorical feature — as ranges of
    /// ``keyBytes``; a missing categorical value is the empty range at offset -1.
    var keyStarts: [Int32] = []
    var keyEnds: [Int32] = []
    var keyBytes: [UInt8] = []
    /// Per event, the numeric features (NaN when missing).
    var numbers: [Float] = []
    /// The rows skipped as malformed, in file order.
    var badRows: [DataError] = []

    /// The bytes of key `key` of event `event` within `bytes` (this block's ``keyBytes``), or nil
    /// when the value is missing.
    @inline(__always)
    func key(_ key: Int, of event: Int, keysPerEvent: Int, in bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8>? {
        let index = event * keysPerEvent + key
        let start = Int(keyStarts[index])
        if start < 0 { return nil }
        return UnsafeBufferPointer(rebasing: bytes[start..<Int(keyEnds[index])])
    }
}

/// Pass 1's reading side of `EventLogIngestor`: streams an event log and cuts it into
/// ``ParsedEventBlock``s, checking every row against the schema.
///
/// It is used by one thread at a time — the thread of a `BackgroundProducer` while the ingestor
/// interns the previous block — hence its unchecked sendability.
final class EventLogParser: @unchecked Sendable {
    /// Events per block.
    static let blockEvents = 4096

    /// The file's name as shown in messages.
    let displayName: String
    /// The file's size in bytes.
    let fileSize: Int
    /// Keys per event: the user, then every categorical feature.
    let keysPerEvent: Int
    private let plan: EncodingPlan
    private let reader: DelimitedRecordReader
    private let binding: ColumnBinding
    private let checks: RowChecks
    private let behaviours: [String]
    private let behaviourNames: ByteStringList
    private let userIndex: Int
    private let behaviourIndex: Int
    private let timeIndex: Int

    /// A parser of `input` under `plan`, whose header it reads; `behaviours` are the behaviour names
    /// the schema uses.
    init(_ input: IngestInput, plan: EncodingPlan, behaviours: [String]) throws {
        let format = plan.schema.format
        let spec = plan.schema.eventLog!
        reader = try DelimitedRecordReader(path: input.path, format: format)
        let names = try reader.readColumnNames(format: format, declared: plan.schema.columns)
        binding = try ColumnBinding(plan: plan, names: names, file: reader.displayName)
        checks = RowChecks(file: reader.displayName, columnNames: names, maxFieldBytes: format.maxFieldBytes)
        userIndex = names.firstIndex(of: spec.user)!
        behaviourIndex = names.firstIndex(of: spec.behaviour)!
        timeIndex = names.firstIndex(of: spec.timestamp)!
        self.plan = plan
        self.behaviours = behaviours
        behaviourNames = ByteStringList(behaviours)
        displayName = reader.displayName
        fileSize = reader.fileSize
        keysPerEvent = 1 + binding.categorical.count
    }

    /// The next block of at most ``blockEvents`` rows, or nil at the end of the file.
    func nextBlock() throws -> ParsedEventBlock? {
        var block = ParsedEventBlock()
        var rows = 0
        while rows < Self.blockEvents, let row = try reader.nextRecord() {
            rows += 1
            do {
                try parse(row, into: &block)
            } catch let error as DataError {
                block.badRows.append(error)
            }
        }
        return rows == 0 ? nil : block
    }

    /// Appends `row` to `block`, or throws what is wrong with it (leaving `block` as it was).
    private func parse(_ row: RawRecord, into block: inout ParsedEventBlock) throws {
        try checks.check(row, used: binding.used)
        let fields = row.fields
        guard let behaviour = behaviourNames.firstIndex(of: fields[behaviourIndex].bytes) else {
            throw checks.malformed(row, field: behaviourIndex, expected: "one of " + behaviours.joined(separator: ", "))
        }
        guard let time = NumberParsing.int64(fields[timeIndex].bytes) else {
            throw checks.malformed(row, field: timeIndex, expected: "an integer timestamp")
        }
        if plan.isMissing(fields[userIndex].bytes) {
            throw checks.malformed(row, field: userIndex, expected: "a user id")
        }
        let numbersBefore = block.numbers.count
        for index in binding.numeric {
            let bytes = fields[index].bytes
            if plan.isMissing(bytes) {
                block.numbers.append(.nan)
            } else if let value = NumberParsing.storable(bytes) {
                block.numbers.append(Float(value))
            } else {
                block.numbers.removeSubrange(numbersBefore...)
                throw checks.malformed(row, field: index, expected: NumberParsing.storableExpectation)
            }
        }
        block.behaviours.append(UInt32(behaviour))
        block.times.append(time)
        appendKey(fields[userIndex].bytes, to: &block)
        for index in binding.categorical {
            let bytes = fields[index].bytes
            if plan.isMissing(bytes) {
                block.keyStarts.append(-1)
                block.keyEnds.append(-1)
            } else {
                appendKey(bytes, to: &block)
            }
        }
        block.count += 1
    }

    @inline(__always)
    private func appendKey(_ bytes: UnsafeBufferPointer<UInt8>, to block: inout ParsedEventBlock) {
        block.keyStarts.append(Int32(block.keyBytes.count))
        block.keyBytes.append(contentsOf: bytes)
        block.keyEnds.append(Int32(block.keyBytes.count))
    }
}
