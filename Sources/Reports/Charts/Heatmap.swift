import Foundation

/// A heatmap as inline SVG: one row per label, one column per task, each cell coloured by its
/// value on a white-to-blue scale from the smallest value present to the largest, and printed, with a colour key. Cells carry their value
/// (`data-value`), row and column (`data-row`, `data-column`); an empty cell has no value.
struct Heatmap {
    var title: String
    var rowLabels: [String]
    var columnLabels: [String]
    /// `values[row][column]`; nil where a column has no such row.
    var values: [[Double?]]
    /// What a value is, for the key (e.g. `mean gate weight`).
    var valueLabel: String

    static let cellWidth = 78.0, cellHeight = 20.0, top = 64.0

    /// The chart's SVG element.
    var svg: String {
        let labelWidth = Double(rowLabels.map(\.count).max() ?? 0) * 6.8 + 16
        let present = values.flatMap { $0.compactMap { $0 } }
        // The colours span the values present, so that small differences (field weights near 0.5) show.
        var (lo, hi) = (present.min() ?? 0, present.max() ?? 1)
        if hi - lo < 1e-9 { (lo, hi) = (lo - 0.5, hi + 0.5) }
        let gridWidth = Self.cellWidth * Double(columnLabels.count)
        let width = labelWidth + gridWidth + 150
        let height = max(Self.top + Self.cellHeight * Double(rowLabels.count) + 16, Self.top + 150)
        var out = """
        <svg xmlns="http://www.w3.org/2000/svg" class="heatmap" width="\(pixel(width))" height="\(pixel(height))" \
        viewBox="0 0 \(pixel(width)) \(pixel(height))" role="img" aria-label="\(escaped(title))">
        <title>\(escaped(title))</title>
        <text class="chart-title" x="4" y="18">\(escaped(title))</text>

        """
        for (c, label) in columnLabels.enumerated() {
            out += "<text class=\"column-label\" x=\"\(pixel(labelWidth + Self.cellWidth * (Double(c) + 0.5)))\" "
                + "y=\"\(pixel(Self.top - 8))\">\(escaped(label))</text>\n"
        }
        for (r, label) in rowLabels.enumerated() {
            let y = Self.top + Self.cellHeight * Double(r)
            out += "<text class=\"row-label\" x=\"\(pixel(labelWidth - 6))\" y=\"\(pixel(y + 14))\">\(escaped(label))</text>\n"
            for c in columnLabels.indices {
                let x = labelWidth + Self.cellWidth * Double(c)
                guard let value = values[r][c] else {
                    out += "<rect class=\"cell empty\" x=\"\(pixel(x))\" y=\"\(pixel(y))\" width=\"\(pixel(Self.cellWidth))\" "
                        + "height=\"\(pixel(Self.cellHeight))\" data-row=\"\(escaped(label))\" data-column=\"\(escaped(columnLabels[c]))\"/>\n"
                    continue
                }
                let t = (value - lo) / (hi - lo)
                out += "<rect class=\"cell\" x=\"\(pixel(x))\" y=\"\(pixel(y))\" width=\"\(pixel(Self.cellWidth))\" "
                    + "height=\"\(pixel(Self.cellHeight))\" fill=\"\(Self.color(t))\" data-value=\"\(value)\" "
                    + "data-row=\"\(escaped(label))\" data-column=\"\(escaped(columnLabels[c]))\"/>"
                    + "<text class=\"cell-label\" x=\"\(pixel(x + Self.cellWidth / 2))\" y=\"\(pixel(y + 14))\" "
                    + "style=\"fill: \(t > 0.55 ? "#ffffff" : "#111111")\">\(String(format: "%.3f", value))</text>\n"
            }
        }
        out += key(lo: lo, hi: hi, left: labelWidth + gridWidth + 20)
        return out + "</svg>"
    }

    /// Five swatches from the lowest to the highest value, labelled.
    private func key(lo: Double, hi: Double, left: Double) -> String {
        var out = "<g class=\"key\">\n<text class=\"key-title\" x=\"\(pixel(left))\" y=\"\(pixel(Self.top - 8))\">\(escaped(valueLabel))</text>\n"
        for i in 0..<5 {
            let t = Double(4 - i) / 4, y = Self.top + 22 * Double(i)
            out += "<rect x=\"\(pixel(left))\" y=\"\(pixel(y))\" width=\"18\" height=\"18\" fill=\"\(Self.color(t))\" stroke=\"#999999\"/>"
                + "<text class=\"key-label\" x=\"\(pixel(left + 24))\" y=\"\(pixel(y + 13))\">\(String(format: "%.3f", lo + t * (hi - lo)))</text>\n"
        }
        return out + "</g>\n"
    }

    /// The colour of `t` in 0…1: white (#f7fbff) to dark blue (#08306b).
    static func color(_ t: Double) -> String {
        let t = min(1, max(0, t))
        let (a, b) = ((247.0, 251.0, 255.0), (8.0, 48.0, 107.0))
        func mix(_ u: Double, _ v: Double) -> Int { Int((u + (v - u) * t).rounded()) }
        return String(format: "#%02x%02x%02x", mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
    }
}
