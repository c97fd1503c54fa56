/// One sequence field of a split: per sample, a run of ids inside a shared value array.
///
/// Sample `i`'s items are `values[starts[i] ..< starts[i] + lengths[i]]`, oldest first, already cut to the
/// field's `maxLength`. Samples may share values (an event log stores each user's history once and every
/// sample points at the prefix it may see).
public struct EncodedSequence: Sendable {
    /// The ids of all runs.
    public let values: Column<Int32>
    /// Per sample, the offset of its first item in `values`.
    public let starts: Column<Int64>
    /// Per sample, its number of items.
    public let lengths: Column<Int32>

    /// A field from its three arrays.
    public init(values: Column<Int32>, starts: Column<Int64>, lengths: Column<Int32>) {
        self.values = values
        self.starts = starts
        self.lengths = lengths
    }

    /// A field holding `rows[i]` for sample `i` (each already at most `maxLength` long, oldest first).
    public init(rows: [[Int32]]) {
        var starts: [Int64] = []
        starts.reserveCapacity(rows.count)
        var offset: Int64 = 0
        for row in rows {
            starts.append(offset)
            offset += Int64(row.count)
        }
        self.init(values: Column(rows.flatMap { $0 }), starts: Column(starts), lengths: Column(rows.map { Int32($0.count) }))
    }

    /// A field over right-aligned padded rows, without copying: row `i` occupies
    /// `items[i * maxLength ..< (i + 1) * maxLength]` and its `lengths[i]` real items end the row.
    public init(rightAligned items: [Int32], maxLength: Int, lengths: [Int32]) {
        precondition(items.count == lengths.count * maxLength, "items must hold lengths.count rows of maxLength")
        let starts = lengths.indices.map { Int64(($0 + 1) * maxLength) - Int64(lengths[$0]) }
        self.init(values: Column(items), starts: Column(starts), lengths: Column(lengths))
    }

    /// The items of sample `row`, oldest first.
    public func items(ofRow row: Int) -> [Int32] {
        let start = Int(starts[row])
        return values.withUnsafeBufferPointer { Array($0[start..<start + Int(lengths[row])]) }
    }
}
