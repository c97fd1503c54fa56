import Randomness
/// Cuts a split into batches, in file order or in a seeded shuffled order, filling a reusable `Batch`.
///
/// The same seed and epoch always give the same order. The shuffled order is a
/// ``RandomPermutation`` of the rows, computed batch by batch, so the iterator's memory does not
/// grow with the split. Filling copies contiguous row blocks from the split's columns into the
/// batch's buffers; nothing is allocated per sample or per batch.
///
/// In a data-parallel job every process iterates the same global batches — the order depends on
/// the seed and the epoch, not on the number of processes — and, with a ``BatchShard``, fills its
/// batch with its own contiguous part of each: the processes together see exactly the batches
/// one process sees alone, each reading only its part of the split.
///
/// ```swift
/// var iterator = BatchIterator(split: dataset.train, schema: dataset.schema, batchSize: 512, shuffle: true, seed: 7)
/// var batch = iterator.makeBatch()
/// for epoch in 0..<3 {
///     iterator.startEpoch(epoch)
///     while iterator.next(into: &batch) { /* train on batch */ }
/// }
/// ```
public struct BatchIterator: Sendable {
    /// The split read.
    public let split: EncodedSplit
    /// Its schema.
    public let schema: DatasetSchema
    /// Rows per batch.
    public let batchSize: Int
    /// Whether each epoch visits rows in a shuffled order.
    public let shuffle: Bool
    /// The seed of the shuffles.
    public let seed: UInt64
    /// Whether a final short batch is skipped.
    public let dropLast: Bool
    /// The rows of the split iterated.
    public let rows: Range<Int>
    /// Which part of each global batch this iterator fills.
    public let shard: BatchShard
    /// The epoch's shuffled order of `rows` (none without shuffling).
    private var permutation: RandomPermutation?
    /// The rows of the current global batch.
    private var globalRows: [Int32]
    private var cursor = 0

    /// An iterator positioned at the start of epoch 0, over `rows` of the split (all of them by
    /// default), filling `shard`'s part of each batch of `batchSize` rows (all of it by default).
    public init(
        split: EncodedSplit, schema: DatasetSchema, batchSize: Int, shuffle: Bool, seed: UInt64 = 0, dropLast: Bool = false,
        rows: Range<Int>? = nil, shard: BatchShard = .whole
    ) {
        precondition(batchSize > 0, "batchSize must be positive")
        let rows = rows ?? 0..<split.rowCount
        precondition(rows.lowerBound >= 0 && rows.upperBound <= split.rowCount, "rows \(rows) outside the split's \(split.rowCount)")
        self.split = split
        self.schema = schema
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.seed = seed
        self.dropLast = dropLast
        self.rows = rows
        self.shard = shard
        globalRows = Array(repeating: 0, count: batchSize)
        startEpoch(0)
    }

    /// The number of batches per epoch.
    public var batchCount: Int {
        dropLast ? rows.count / batchSize : (rows.count + batchSize - 1) / batchSize
    }

    /// A batch sized for this iterator's part of a global batch.
    public func makeBatch() -> Batch {
        Batch(schema: schema, capacity: shard.largestPart(of: batchSize))
    }

    /// Restarts at the beginning of `epoch`, whose order is a function of the seed and `epoch` alone.
    public mutating func startEpoch(_ epoch: Int) {
        cursor = 0
        guard shuffle else { return }
        permutation = RandomPermutation(count: rows.count, seed: SplitMix64.scramble(seed &+ UInt64(epoch) &* 0x9E37_79B9_7F4A_7C15))
    }

    /// Fills `batch` with the next rows (this iterator's shard of the next global batch); returns
    /// false (leaving `batch` untouched) at the end of the epoch.
    public mutating func next(into batch: inout Batch) -> Bool {
        let remaining = rows.count - cursor
        if remaining <= 0 || (dropLast && remaining < batchSize) { return false }
        let globalSize = min(batchSize, remaining, shard.count == 1 ? batch.capacity : batchSize)
        for slot in 0..<globalSize {
            let position = cursor + slot
            globalRows[slot] = Int32(rows.lowerBound + (permutation.map { $0[position] } ?? position))
        }
        let global = globalRows[0..<globalSize]
        cursor += globalSize
        let part = shard.part(of: globalSize)
        precondition(part.count <= batch.capacity, "a batch of \(batch.capacity) rows cannot hold a part of \(part.count)")
        let rows = global[global.startIndex + part.lowerBound..<global.startIndex + part.upperBound]
        batch.size = rows.count
        batch.globalSize = globalSize
        if shard.count > 1 { sumLabelWeights(of: global, into: &batch.globalLabelWeights) }
        for (slot, row) in rows.enumerated() { batch.rowIndices[slot] = row }
        if batch.categoricalWidth > 0 {
            batch.categorical.withUnsafeMutableBufferPointer { target in
                split.categorical.copy(rows: rows, width: batch.categoricalWidth, into: target.baseAddress!)
            }
        }
        copyBlocks(split.numeric, width: batch.numericWidth, rows: rows, into: &batch.numeric)
        copyBlocks(split.labels, width: batch.taskCount, rows: rows, into: &batch.labels)
        copyBlocks(split.labelWeights, width: batch.taskCount, rows: rows, into: &batch.labelWeights)
        if let groups = split.groups {
            copyBlocks(groups, width: 1, rows: rows, into: &batch.groups)
        }
        for field in split.sequences.indices {
            fillSequence(split.sequences[field], maxLength: batch.sequenceMaxLengths[field], rows: rows,
                         ids: &batch.sequences[field], lengths: &batch.sequenceLengths[field])
        }
        return true
    }

    /// Per task, the label weights of `rows` added up (in row order).
    private func sumLabelWeights(of rows: ArraySlice<Int32>, into totals: inout [Float]) {
        let t = schema.tasks.count
        for k in 0..<t { totals[k] = 0 }
        split.labelWeights.withUnsafeBufferPointer { weights in
            for row in rows {
                for k in 0..<t { totals[k] += weights[Int(row) * t + k] }
            }
        }
    }

    private func copyBlocks<Element>(_ column: Column<Element>, width: Int, rows: ArraySlice<Int32>, into target: inout [Element]) {
        guard width > 0 else { return }
        column.withUnsafeBufferPointer { source in
            target.withUnsafeMutableBufferPointer { target in
                for (slot, row) in rows.enumerated() {
                    let from = source.baseAddress! + Int(row) * width
                    (target.baseAddress! + slot * width).update(from: from, count: width)
                }
            }
        }
    }

    private func fillSequence(
        _ sequence: EncodedSequence, maxLength: Int, rows: ArraySlice<Int32>, ids: inout [Int32], lengths: inout [Int32]
    ) {
        sequence.values.withUnsafeBufferPointer { values in
        sequence.starts.withUnsafeBufferPointer { starts in
        sequence.lengths.withUnsafeBufferPointer { rowLengths in
        ids.withUnsafeMutableBufferPointer { ids in
            for (slot, row) in rows.enumerated() {
                let length = min(Int(rowLengths[Int(row)]), maxLength)
                let start = Int(starts[Int(row)]) + Int(rowLengths[Int(row)]) - length
                let target = ids.baseAddress! + slot * maxLength
                let padding = maxLength - length
                target.update(repeating: Vocabulary.missingID, count: padding)
                if length > 0 { (target + padding).update(from: values.baseAddress! + start, count: length) }
                lengths[slot] = Int32(length)
            }
        }
        }
        }
        }
    }
}
