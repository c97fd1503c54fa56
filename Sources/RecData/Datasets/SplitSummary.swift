/// Descriptive numbers of one split, as `dtrn data inspect` shows them.
public struct SplitSummary: Sendable, Equatable {
    /// Upper bounds (inclusive) of the sequence-length histogram buckets; the last bucket is open.
    public static let lengthBucketBounds = [0, 1, 2, 4, 8, 16, 32, 64]

    /// The number of samples.
    public var rowCount: Int
    /// Per task: the mean label over samples whose weight is positive (the positive rate for binary tasks).
    public var labelMeans: [Double]
    /// Per task: the share of samples whose label is masked (weight 0).
    public var maskedShares: [Double]
    /// Per task: the number of samples with a positive weight.
    public var labelledCounts: [Int]
    /// Per sequence field: counts of lengths in the buckets of `lengthBucketBounds` (0, 1, 2, 3–4, 5–8, …, over 64).
    public var sequenceLengthHistograms: [[Int]]
    /// Per sequence field: the mean length.
    public var meanSequenceLengths: [Double]
    /// The number of distinct groups, when the split has group ids.
    public var groupCount: Int?

    /// Computes the summary of `split` described by `schema`.
    public init(_ split: EncodedSplit, schema: DatasetSchema) {
        rowCount = split.rowCount
        let tasks = schema.tasks.count
        var sums = [Double](repeating: 0, count: tasks)
        var labelled = [Int](repeating: 0, count: tasks)
        split.labels.withUnsafeBufferPointer { labels in
            split.labelWeights.withUnsafeBufferPointer { weights in
                for row in 0..<split.rowCount {
                    for task in 0..<tasks where weights[row * tasks + task] > 0 {
                        sums[task] += Double(labels[row * tasks + task])
                        labelled[task] += 1
                    }
                }
            }
        }
        let rows = Double(max(split.rowCount, 1))
        labelMeans = zip(sums, labelled).map { $1 > 0 ? $0 / Double($1) : 0 }
        maskedShares = labelled.map { Double(split.rowCount - $0) / rows }
        labelledCounts = labelled
        let bounds = Self.lengthBucketBounds
        sequenceLengthHistograms = split.sequences.map { sequence in
            var histogram = [Int](repeating: 0, count: bounds.count + 1)
            sequence.lengths.withUnsafeBufferPointer { lengths in
                for length in lengths {
                    histogram[bounds.firstIndex { Int(length) <= $0 } ?? bounds.count] += 1
                }
            }
            return histogram
        }
        meanSequenceLengths = split.sequences.map { sequence in
            sequence.lengths.withUnsafeBufferPointer { lengths in lengths.reduce(0.0) { $0 + Double($1) } } / rows
        }
        groupCount = split.groups.map { groups in groups.withUnsafeBufferPointer { Set($0).count } }
    }

    /// Labels of the histogram buckets: `0`, `1`, `2`, `3-4`, …, `>64`.
    public static var lengthBucketLabels: [String] {
        let bounds = lengthBucketBounds
        return bounds.indices.map { index in
            let low = index == 0 ? 0 : bounds[index - 1] + 1
            return low == bounds[index] ? "\(low)" : "\(low)-\(bounds[index])"
        } + [">\(bounds.last!)"]
    }
}
