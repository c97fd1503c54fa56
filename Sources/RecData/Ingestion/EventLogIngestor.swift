import Foundation

/// Turns an event log (one row per user action) into samples with behaviour sequences and later-behaviour
/// labels, as described by `EventLogSpec`, with memory bounded by a bucket rather than the whole file.
///
/// Pass 1 streams the file (read and parsed on a second thread by `EventLogParser`), interns every id, counts training-period occurrences for the vocabularies, and
/// writes each event as a fixed-width binary record to one of several bucket files chosen by user, so all of
/// a user's events land in the same bucket whatever the file's order. Pass 2 loads one bucket at a time,
/// sorts it by (user, time, file order) and emits the samples of each user.
final class EventLogIngestor {
    /// Bytes of input per bucket; a bucket's records take about as much memory.
    static let bytesPerBucket = 256 << 20

    private let session: IngestionSession
    private let temporaryDirectory: String
    private let spec: EventLogSpec
    /// The behaviour types the schema uses; an event's behaviour is stored as an index into it.
    private let behaviours: [String]
    private let itemFeature: Int
    private let sequenceBehaviours: [Int]
    private let labelBehaviours: [Int]
    private let impression: Int
    private let categoricalCount: Int
    private let numericCount: Int
    private let maxLengths: [Int]
    private let hasGroups: Bool

    /// Record layout, in 32-bit words: user, behaviour, time (2 words), categorical codes, numeric values
    /// (as bit patterns). A bucket holds its records in file order.
    private var recordWidth: Int { Self.headerWords + categoricalCount + numericCount }
    private static let headerWords = 4

    /// An ingestor writing through `session`, keeping its bucket files in `temporaryDirectory`.
    init(session: IngestionSession, temporaryDirectory: String) {
        self.session = session
        self.temporaryDirectory = temporaryDirectory
        let plan = session.plan
        let spec = plan.schema.eventLog!
        self.spec = spec
        var behaviours = [spec.impression]
        for name in plan.sequences.compactMap(\.behaviour) + plan.labels.compactMap(\.behaviour) where !behaviours.contains(name) {
            behaviours.append(name)
        }
        self.behaviours = behaviours
        impression = 0
        sequenceBehaviours = plan.sequences.map { behaviours.firstIndex(of: $0.behaviour!)! }
        labelBehaviours = plan.labels.map { behaviours.firstIndex(of: $0.behaviour!)! }
        itemFeature = plan.categorical.firstIndex { $0.column == spec.item }!
        categoricalCount = plan.categorical.count
        numericCount = plan.numeric.count
        maxLengths = plan.sequences.map(\.maxLength)
        hasGroups = plan.schema.groupKey != nil
    }

    /// Ingests every input as one event log; returns the bytes read.
    func ingest(_ inputs: [IngestInput]) throws -> Int {
        let totalBytes = inputs.reduce(0) { $0 + ((try? FileManager.default.attributesOfItem(atPath: $1.path)[.size] as? Int) ?? 0) }
        let bucketCount = max(1, min(1024, totalBytes / Self.bytesPerBucket + 1))
        let buckets = try (0..<bucketCount).map {
            try ColumnFileWriter<UInt32>(path: temporaryDirectory + "/events-\($0).bin")
        }
        var inputBytes = 0
        for input in inputs {
            inputBytes += try partition(input, into: buckets)
        }
        for bucket in buckets {
            try bucket.flush()
            try emitSamples(bucketPath: bucket.path, bucketCount: bucketCount)
            try? FileManager.default.removeItem(atPath: bucket.path)
        }
        return inputBytes
    }

    // MARK: - Pass 1: parse and partition by user

    /// Interns the events of `input` and writes their records to the buckets, while a background
    /// thread reads and parses the next block of the file.
    private func partition(_ input: IngestInput, into buckets: [ColumnFileWriter<UInt32>]) throws -> Int {
        let parser = try EventLogParser(input, plan: session.plan, behaviours: behaviours)
        let blocks = BackgroundProducer<ParsedEventBlock>(depth: 4) { emit in
            while let block = try parser.nextBlock(), emit(block) {}
        }
        defer { blocks.cancel() }
        let fieldVocabularies = session.plan.categorical.map { session.vocabularies[$0.vocabulary] }
        let groups = session.groups
        let keysPerEvent = parser.keysPerEvent
        var record = [UInt32](repeating: 0, count: recordWidth)
        var events = 0
        while let block = try blocks.next() {
            for error in block.badRows { try session.skipBadRow(error) }
            try block.keyBytes.withUnsafeBufferPointer { keyBytes in
                for event in 0..<block.count {
                    let time = block.times[event]
                    let training = time < spec.validationFrom
                    let user = groups.intern(block.key(0, of: event, keysPerEvent: keysPerEvent, in: keyBytes)!)
                    record[0] = UInt32(bitPattern: user)
                    record[1] = block.behaviours[event]
                    record[2] = UInt32(truncatingIfNeeded: time)
                    record[3] = UInt32(truncatingIfNeeded: time >> 32)
                    for position in 0..<categoricalCount {
                        let code = block.key(1 + position, of: event, keysPerEvent: keysPerEvent, in: keyBytes)
                            .map { fieldVocabularies[position].code($0, training: training) } ?? Vocabulary.missingID
                        record[Self.headerWords + position] = UInt32(bitPattern: code)
                    }
                    for position in 0..<numericCount {
                        record[Self.headerWords + categoricalCount + position] = block.numbers[event * numericCount + position].bitPattern
                    }
                    try record.withUnsafeBufferPointer { try buckets[Int(user) % buckets.count].append(contentsOf: $0) }
                }
            }
            events += block.count
        }
        if events == 0 {
            let header = session.plan.schema.format.header
            throw DataError.emptyInput(file: parser.displayName, reason: header ? "no events after the header" : "no events")
        }
        return parser.fileSize
    }

    // MARK: - Pass 2: samples per user

    /// One user's events of one behaviour type, in time order.
    private struct Timeline {
        var items: [Int32] = []
        var times: [Int64] = []
        /// Per split, where this user's items start in the split's values file (-1: not written yet).
        var written: [Int64] = [-1, -1, -1]
        /// How many items precede the current sample's time.
        var visible = 0

        mutating func reset() {
            items.removeAll(keepingCapacity: true)
            times.removeAll(keepingCapacity: true)
            written = [-1, -1, -1]
            visible = 0
        }
    }

    /// The samples of one user in one split, gathered column by column and appended to the split's files
    /// in bulk once the user is done.
    private struct PendingSamples {
        var categorical: [Int32] = []
        var numeric: [Float] = []
        var labels: [Float] = []
        var groups: [Int32] = []
        var sequenceValues: [[Int32]]
        var sequenceStarts: [[Int64]]
        var sequenceLengths: [[Int32]]
        /// Per sequence field, the number of items in the split's values file before the gathered ones.
        var valuesBefore: [Int]
        var rows = 0

        /// Empty buffers for samples to be appended to `writer`.
        init(appendingTo writer: SplitWriter) {
            let sequenceCount = writer.sequenceValues.count
            sequenceValues = Array(repeating: [], count: sequenceCount)
            sequenceStarts = Array(repeating: [], count: sequenceCount)
            sequenceLengths = Array(repeating: [], count: sequenceCount)
            valuesBefore = writer.sequenceValues.map(\.count)
        }

        /// Where the next items appended to sequence field `field` will start in the split's values file.
        func nextValueOffset(_ field: Int) -> Int64 { Int64(valuesBefore[field] + sequenceValues[field].count) }

        /// Appends everything gathered to `writer` and empties the buffers.
        mutating func flush(to writer: SplitWriter, labelCount: Int) throws {
            guard rows > 0 else { return }
            try categorical.withUnsafeBufferPointer { try writer.categorical.append(contentsOf: $0) }
            try numeric.withUnsafeBufferPointer { try writer.numeric.append(contentsOf: $0) }
            try labels.withUnsafeBufferPointer { try writer.labels.append(contentsOf: $0) }
            try writer.labelWeights.append(repeating: 1, count: rows * labelCount)
            try groups.withUnsafeBufferPointer { try writer.groups?.append(contentsOf: $0) }
            for field in sequenceValues.indices {
                try sequenceValues[field].withUnsafeBufferPointer { try writer.sequenceValues[field].append(contentsOf: $0) }
                try sequenceStarts[field].withUnsafeBufferPointer { try writer.sequenceStarts[field].append(contentsOf: $0) }
                try sequenceLengths[field].withUnsafeBufferPointer { try writer.sequenceLengths[field].append(contentsOf: $0) }
                valuesBefore[field] += sequenceValues[field].count
                sequenceValues[field].removeAll(keepingCapacity: true)
                sequenceStarts[field].removeAll(keepingCapacity: true)
                sequenceLengths[field].removeAll(keepingCapacity: true)
            }
            writer.rowCount += rows
            categorical.removeAll(keepingCapacity: true)
            numeric.removeAll(keepingCapacity: true)
            labels.removeAll(keepingCapacity: true)
            groups.removeAll(keepingCapacity: true)
            rows = 0
        }
    }

    /// The events of a bucket ordered by (user, time, file order): a counting sort by user, which keeps the
    /// file order, then a sort by time of the users whose events are not already in time order.
    private func sortedEvents(_ words: UnsafeBufferPointer<UInt32>, eventCount: Int, bucketCount: Int) -> [Int32] {
        let width = recordWidth
        let localUsers = session.groups.count / bucketCount + 1
        var starts = [Int](repeating: 0, count: localUsers + 1)
        for event in 0..<eventCount { starts[Int(words[event * width]) / bucketCount + 1] += 1 }
        for user in 0..<localUsers { starts[user + 1] += starts[user] }
        var next = starts
        var sorted = [Int32](repeating: 0, count: eventCount)
        for event in 0..<eventCount {
            let user = Int(words[event * width]) / bucketCount
            sorted[next[user]] = Int32(event)
            next[user] += 1
        }
        func time(_ event: Int32) -> Int64 {
            let base = Int(event) * width
            return Int64(words[base + 2]) | Int64(words[base + 3]) << 32
        }
        for user in 0..<localUsers where starts[user + 1] - starts[user] > 1 {
            let run = starts[user]..<starts[user + 1]
            let inOrder = zip(run.dropLast(), run.dropFirst()).allSatisfy { time(sorted[$0]) <= time(sorted[$1]) }
            if !inOrder {
                sorted[run].sort { lhs, rhs in
                    let timeL = time(lhs), timeR = time(rhs)
                    return timeL != timeR ? timeL < timeR : lhs < rhs
                }
            }
        }
        return sorted
    }

    private func emitSamples(bucketPath: String, bucketCount: Int) throws {
        let file = try MappedFile(path: bucketPath)
        let words = file.buffer(of: UInt32.self)
        let width = recordWidth
        let eventCount = words.count / width
        if eventCount == 0 { return }
        func time(_ event: Int) -> Int64 { Int64(words[event * width + 2]) | Int64(words[event * width + 3]) << 32 }
        func user(_ event: Int) -> UInt32 { words[event * width] }
        let sorted = sortedEvents(words, eventCount: eventCount, bucketCount: bucketCount)
        let writers = session.writers
        var pending = writers.map { PendingSamples(appendingTo: $0) }
        var timelines = Array(repeating: Timeline(), count: behaviours.count)
        var lastLabelTime = [Int64: Int64]()
        var impressed = Set<Int32>()
        var runStart = 0
        while runStart < eventCount {
            var runEnd = runStart + 1
            let runUser = user(Int(sorted[runStart]))
            while runEnd < eventCount && user(Int(sorted[runEnd])) == runUser { runEnd += 1 }
            for index in timelines.indices { timelines[index].reset() }
            lastLabelTime.removeAll(keepingCapacity: true)
            impressed.removeAll(keepingCapacity: true)
            for position in runStart..<runEnd {
                let event = Int(sorted[position])
                let behaviour = Int(words[event * width + 1])
                let item = Int32(bitPattern: words[event * width + Self.headerWords + itemFeature])
                timelines[behaviour].items.append(item)
                timelines[behaviour].times.append(time(event))
                lastLabelTime[Self.labelKey(behaviour: behaviour, item: item)] = time(event)
            }
            for position in runStart..<runEnd {
                let event = Int(sorted[position])
                guard Int(words[event * width + 1]) == impression else { continue }
                let item = Int32(bitPattern: words[event * width + Self.headerWords + itemFeature])
                guard impressed.insert(item).inserted else { continue }
                let sampleTime = time(event)
                for index in timelines.indices {
                    while timelines[index].visible < timelines[index].times.count
                        && timelines[index].times[timelines[index].visible] < sampleTime {
                        timelines[index].visible += 1
                    }
                }
                let split = sampleTime < spec.validationFrom ? 0 : sampleTime < spec.testFrom ? 1 : 2
                appendSample(
                    record: UnsafeBufferPointer(rebasing: words[event * width..<(event + 1) * width]),
                    item: item, time: sampleTime, split: split, into: &pending[split], timelines: &timelines, lastLabelTime: lastLabelTime)
            }
            for split in pending.indices {
                try pending[split].flush(to: writers[split], labelCount: labelBehaviours.count)
            }
            runStart = runEnd
        }
    }

    /// The key of the last time `item` met `behaviour`.
    private static func labelKey(behaviour: Int, item: Int32) -> Int64 {
        Int64(behaviour) << 32 | Int64(UInt32(bitPattern: item))
    }

    private func appendSample(
        record: UnsafeBufferPointer<UInt32>, item: Int32, time: Int64, split: Int,
        into samples: inout PendingSamples, timelines: inout [Timeline], lastLabelTime: [Int64: Int64]
    ) {
        for position in 0..<categoricalCount {
            samples.categorical.append(Int32(bitPattern: record[Self.headerWords + position]))
        }
        for position in 0..<numericCount {
            let value = Float(bitPattern: record[Self.headerWords + categoricalCount + position])
            if split == 0 && !value.isNaN { session.numericStatistics[position].add(Double(value)) }
            samples.numeric.append(value)
        }
        for behaviour in labelBehaviours {
            let later = (lastLabelTime[Self.labelKey(behaviour: behaviour, item: item)] ?? .min) >= time
            samples.labels.append(later ? 1 : 0)
        }
        if hasGroups { samples.groups.append(Int32(bitPattern: record[0])) }
        for (field, behaviour) in sequenceBehaviours.enumerated() {
            if timelines[behaviour].written[split] < 0 {
                timelines[behaviour].written[split] = samples.nextValueOffset(field)
                samples.sequenceValues[field].append(contentsOf: timelines[behaviour].items)
            }
            let visible = timelines[behaviour].visible
            let length = min(visible, maxLengths[field])
            samples.sequenceStarts[field].append(timelines[behaviour].written[split] + Int64(visible - length))
            samples.sequenceLengths[field].append(Int32(length))
        }
        samples.rows += 1
    }
}
