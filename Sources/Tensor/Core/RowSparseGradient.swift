/// The gradient of an embedding table restricted to the rows a batch used.
///
/// `rows` are distinct row indices in first-use order; `values` holds `rows.count × width`
/// floats, row `i` of it being the gradient of table row `rows[i]`.
public struct RowSparseGradient: Sendable {
    /// The distinct table rows that received a gradient.
    public internal(set) var rows: [Int32]
    /// The gradient rows, `rows.count × width`, row-major.
    public internal(set) var values: [Float]
    /// The width of a table row.
    public let width: Int

    /// An empty gradient for rows of `width` floats.
    public init(width: Int) {
        self.rows = []
        self.values = []
        self.width = width
    }

    /// A gradient of `rows` (distinct) whose values are `values`, `rows.count × width` floats.
    package init(rows: [Int32], values: [Float], width: Int) {
        precondition(values.count == rows.count * width, "\(values.count) values for \(rows.count) rows of \(width)")
        self.rows = rows
        self.values = values
        self.width = width
    }

    /// The dense equivalent for a table of `rowCount` rows.
    public func densified(rowCount: Int) -> [Float] {
        var dense = [Float](repeating: 0, count: rowCount * width)
        for (i, r) in rows.enumerated() {
            for j in 0..<width { dense[Int(r) * width + j] += values[i * width + j] }
        }
        return dense
    }
}
