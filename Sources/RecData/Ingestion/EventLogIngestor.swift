import Foundation

/// Turns an event log (one row per user action) into samples with behaviour sequences and later-behaviour
/// labels, as described by `EventLogSpec`, with memory bounded by a bucket rather than the whole file.
///
/// Pass 1 streams the file, interns every id, counts training-period occurrences for the vocabularies, and
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

    /// Record layout, in 32-bit words: user, behaviour, time (2 words), file order (2 words), categorical
    /// codes, numeric values (as bit patterns).
    private var recordWidth: Int { Self.headerWords + categoricalCount + numericCount }
    private static let headerWords = 6

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
    }

    /// Ingests every input as one event log; returns the bytes read.
    func ingest(_ inputs: [IngestInput]) throws -> Int {
        let totalBytes = inputs.reduce(0) { $0 + ((try? FileManager.default.attributesOfItem(atPath: $1.path)[.size] as? Int) ?? 0) }
        let bucketCount = max(1, min(1024, totalBytes / Self.bytesPerBucket + 1))
        let buckets = try (0..<bucketCount).map {
            try ColumnFileWriter<UInt32>(path: temporaryDirectory + "/events-\($0).bin")
        }
        var order: Int64 = 0
        var inputBytes = 0
        for input in inputs {
            inputBytes += try partition(input, into: buckets, order: &order)
        }
        for bucket in buckets {
            try bucket.flush()
            try emitSamples(bucketPath: bucket.path)
            try? FileManager.default.removeItem(atPath: bucket.path)
        }
        return inputBytes
    }

    // MARK: - Pass 1: parse and partition by user

    private func partition(_ input: IngestInput, into buckets: [ColumnFileWriter<UInt32>], order: inout Int64) throws -> Int {
        let plan = session.plan
        let format = plan.schema.format
        let reader = try DelimitedRecordReader(path: input.path, format: format)
        let names = try reader.readColumnNames(format: format, declared: plan.schema.columns)
        let binding = try ColumnBinding(plan: plan, names: names, file: reader.displayName)
        let checks = RowChecks(file: reader.displayName, columnNames: names, maxFieldBytes: format.maxFieldBytes)
        let userIndex = names.firstIndex(of: spec.user)!
        let behaviourIndex = names.firstIndex(of: spec.behaviour)!
        let timeIndex = names.firstIndex(of: spec.timestamp)!
        let behaviourBytes = behaviours.map { Array($0.utf8) }
        var record = [UInt32](repeating: 0, count: recordWidth)
        var numbers = [Double](repeating: 0, count: numericCount)
        var events = 0
        while let row = try reader.nextRecord() {
            do {
                try checks.check(row, used: binding.used)
                let fields = row.fields
                guard let behaviour = behaviourBytes.firstIndex(where: { $0.withUnsafeBufferPointer { memoryEquals($0, fields[behaviourIndex].bytes) } }) else {
                    throw checks.malformed(row, field: behaviourIndex, expected: "one of " + behaviours.joined(separator: ", "))
                }
                guard let time = NumberParsing.int64(fields[timeIndex].bytes) else {
                    throw checks.malformed(row, field: timeIndex, expected: "an integer timestamp")
                }
                if plan.isMissing(fields[userIndex].bytes) {
                    throw checks.malformed(row, field: userIndex, expected: "a user id")
                }
                for (position, index) in binding.numeric.enumerated() {
                    let bytes = fields[index].bytes
                    if plan.isMissing(bytes) {
                        numbers[position] = .nan
                    } else if let value = NumberParsing.double(bytes) {
                        numbers[position] = value
                    } else {
                        throw checks.malformed(row, field: index, expected: "a number")
                    }
                }
                let training = time < spec.validationFrom
                let user = session.groups.intern(fields[userIndex].bytes)
                record[0] = UInt32(bitPattern: user)
                record[1] = UInt32(behaviour)
                record[2] = UInt32(truncatingIfNeeded: time)
                record[3] = UInt32(truncatingIfNeeded: time >> 32)
                record[4] = UInt32(truncatingIfNeeded: order)
                record[5] = UInt32(truncatingIfNeeded: order >> 32)
                for (position, index) in binding.categorical.enumerated() {
                    let bytes = fields[index].bytes
                    let code = plan.isMissing(bytes)
                        ? Vocabulary.missingID
                        : session.vocabularies[plan.categorical[position].vocabulary].code(bytes, training: training)
                    record[Self.headerWords + position] = UInt32(bitPattern: code)
                }
                for position in 0..<numericCount {
                    record[Self.headerWords + categoricalCount + position] = Float(numbers[position]).bitPattern
                }
                order += 1
                events += 1
                try record.withUnsafeBufferPointer { try buckets[Int(user) % buckets.count].append(contentsOf: $0) }
            } catch let error as DataError {
                try session.skipBadRow(error)
            }
        }
        if events == 0 {
            throw DataError.emptyInput(file: reader.displayName, reason: format.header ? "no events after the header" : "no events")
        }
        return reader.fileSize
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

    private func emitSamples(bucketPath: String) throws {
        let file = try MappedFile(path: bucketPath)
        let words = file.buffer(of: UInt32.self)
        let width = recordWidth
        let eventCount = words.count / width
        if eventCount == 0 { return }
        func time(_ event: Int) -> Int64 { Int64(words[event * width + 2]) | Int64(words[event * width + 3]) << 32 }
        func order(_ event: Int) -> Int64 { Int64(words[event * width + 4]) | Int64(words[event * width + 5]) << 32 }
        func user(_ event: Int) -> UInt32 { words[event * width] }
        var sorted = Array(0..<eventCount)
        sorted.sort { lhs, rhs in
            let userL = user(lhs), userR = user(rhs)
            if userL != userR { return userL < userR }
            let timeL = time(lhs), timeR = time(rhs)
            if timeL != timeR { return timeL < timeR }
            return order(lhs) < order(rhs)
        }
        var timelines = Array(repeating: Timeline(), count: behaviours.count)
        var lastLabelTime = Array(repeating: [Int32: Int64](), count: behaviours.count)
        var impressed = Set<Int32>()
        var runStart = 0
        while runStart < eventCount {
            var runEnd = runStart + 1
            while runEnd < eventCount && user(sorted[runEnd]) == user(sorted[runStart]) { runEnd += 1 }
            for index in timelines.indices { timelines[index].reset() }
            for index in lastLabelTime.indices { lastLabelTime[index].removeAll(keepingCapacity: true) }
            impressed.removeAll(keepingCapacity: true)
            for position in runStart..<runEnd {
                let event = sorted[position]
                let behaviour = Int(words[event * width + 1])
                let item = Int32(bitPattern: words[event * width + Self.headerWords + itemFeature])
                timelines[behaviour].items.append(item)
                timelines[behaviour].times.append(time(event))
                lastLabelTime[behaviour][item] = time(event)
            }
            for position in runStart..<runEnd {
                let event = sorted[position]
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
                let split: SplitName = sampleTime < spec.validationFrom ? .train : sampleTime < spec.testFrom ? .validation : .test
                try appendSample(
                    record: UnsafeBufferPointer(rebasing: words[event * width..<(event + 1) * width]),
                    item: item, time: sampleTime, split: split, timelines: &timelines, lastLabelTime: lastLabelTime)
            }
            runStart = runEnd
        }
    }

    private func appendSample(
        record: UnsafeBufferPointer<UInt32>, item: Int32, time: Int64, split: SplitName,
        timelines: inout [Timeline], lastLabelTime: [[Int32: Int64]]
    ) throws {
        let writer = session.writer(split)
        let splitIndex = SplitName.allCases.firstIndex(of: split)!
        for position in 0..<categoricalCount {
            try writer.categorical.append(Int32(bitPattern: record[Self.headerWords + position]))
        }
        for position in 0..<numericCount {
            let value = Float(bitPattern: record[Self.headerWords + categoricalCount + position])
            if split == .train && !value.isNaN { session.numericStatistics[position].add(Double(value)) }
            try writer.numeric.append(value)
        }
        for behaviour in labelBehaviours {
            let later = (lastLabelTime[behaviour][item] ?? .min) >= time
            try writer.labels.append(later ? 1 : 0)
            try writer.labelWeights.append(1)
        }
        try writer.groups?.append(Int32(bitPattern: record[0]))
        for (field, behaviour) in sequenceBehaviours.enumerated() {
            let values = writer.sequenceValues[field]
            if timelines[behaviour].written[splitIndex] < 0 {
                timelines[behaviour].written[splitIndex] = Int64(values.count)
                try timelines[behaviour].items.withUnsafeBufferPointer { try values.append(contentsOf: $0) }
            }
            let visible = timelines[behaviour].visible
            let length = min(visible, session.plan.sequences[field].maxLength)
            try writer.sequenceStarts[field].append(timelines[behaviour].written[splitIndex] + Int64(visible - length))
            try writer.sequenceLengths[field].append(Int32(length))
        }
        writer.rowCount += 1
    }
}
