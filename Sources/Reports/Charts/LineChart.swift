import Foundation

/// A line chart as inline SVG: axes with ticks and labels, one line (optionally with markers
/// and error bars) per series, a legend on the right.
///
/// Every series group carries its data as attributes (`data-series`, `data-x`, `data-y`,
/// `data-error`), and the `<svg>` its mapping (`data-x-domain`, `data-y-domain`, `data-plot`
/// = left top width height), so that a reader can check the drawn coordinates against the numbers.
struct LineChart {
    /// One line.
    struct Series {
        var name: String
        var x: [Double]
        var y: [Double]
        /// Half-lengths of vertical error bars, one per point.
        var errors: [Double]? = nil
        /// Draw a marker at every point.
        var markers = true
        /// Draw the connecting line dashed (series past the palette's length always are, so
        /// that no two series look the same).
        var dashed = false
        /// The colour (by default the palette's, by position).
        var color: String? = nil
    }

    var title: String
    var xLabel: String
    var yLabel: String
    var series: [Series]
    /// Only whole-number ticks on the x axis (epochs, steps).
    var integralX = false
    /// A fixed y interval (cosine similarity: −1…1) instead of one fitted to the data.
    var fixedY: ClosedRange<Double>? = nil
    /// Horizontal reference lines (0 for a cosine).
    var referenceY: [Double] = []

    static let plotWidth = 380.0, plotHeight = 220.0
    static let left = 66.0, top = 34.0, bottom = 48.0

    /// The chart's SVG element.
    var svg: String {
        let names = series.map { Self.shortened($0.name) }
        let legendWidth = series.isEmpty ? 0 : min(240, Double(names.map(\.count).max() ?? 0) * 6.8 + 40)
        let width = Self.left + Self.plotWidth + 16 + legendWidth
        let height = max(Self.top + Self.plotHeight + Self.bottom, Self.top + 18 * Double(series.count) + 10)
        let xs = series.flatMap(\.x)
        let ys = series.flatMap { s in s.y.indices.flatMap { i in [s.y[i] - (s.errors?[i] ?? 0), s.y[i] + (s.errors?[i] ?? 0)] } }
        let x = LinearScale(covering: xs, range: (Self.left, Self.left + Self.plotWidth), padding: 0, integral: integralX)
        let y = LinearScale(covering: ys + referenceY, range: (Self.top + Self.plotHeight, Self.top), fixed: fixedY)
        var out = """
        <svg xmlns="http://www.w3.org/2000/svg" class="chart" width="\(pixel(width))" height="\(pixel(height))" \
        viewBox="0 0 \(pixel(width)) \(pixel(height))" role="img" aria-label="\(escaped(title))" \
        data-x-domain="\(dataList([x.domain.lowerBound, x.domain.upperBound]))" \
        data-y-domain="\(dataList([y.domain.lowerBound, y.domain.upperBound]))" \
        data-plot="\(dataList([Self.left, Self.top, Self.plotWidth, Self.plotHeight]))">
        <title>\(escaped(title))</title>
        <text class="chart-title" x="\(pixel(Self.left))" y="18">\(escaped(title))</text>

        """
        out += axes(x: x, y: y)
        for value in referenceY {
            out += "<line class=\"reference\" x1=\"\(pixel(Self.left))\" x2=\"\(pixel(Self.left + Self.plotWidth))\" "
                + "y1=\"\(pixel(y(value)))\" y2=\"\(pixel(y(value)))\"/>\n"
        }
        for (i, s) in series.enumerated() {
            let color = s.color ?? Palette.color(i)
            let dashed = isDashed(i)
            out += "<g class=\"series\" data-series=\"\(escaped(s.name))\" data-x=\"\(dataList(s.x))\" data-y=\"\(dataList(s.y))\""
            if let errors = s.errors { out += " data-error=\"\(dataList(errors))\"" }
            out += " stroke=\"\(color)\" fill=\"\(color)\">\n<title>\(escaped(s.name))</title>\n"
            let points = zip(s.x, s.y).map { "\(pixel(x($0))) \(pixel(y($1)))" }
            if !points.isEmpty {
                out += "<path class=\"line\" fill=\"none\"\(dashed ? " stroke-dasharray=\"5 3\"" : "") d=\"M "
                    + points.joined(separator: " L ") + "\"/>\n"
            }
            for k in s.x.indices {
                if let e = s.errors?[k], e > 0 {
                    let (px, lo, hi) = (pixel(x(s.x[k])), y(s.y[k] - e), y(s.y[k] + e))
                    out += "<path class=\"error\" fill=\"none\" d=\"M \(px) \(pixel(lo)) L \(px) \(pixel(hi)) "
                        + "M \(pixel(x(s.x[k]) - 4)) \(pixel(lo)) L \(pixel(x(s.x[k]) + 4)) \(pixel(lo)) "
                        + "M \(pixel(x(s.x[k]) - 4)) \(pixel(hi)) L \(pixel(x(s.x[k]) + 4)) \(pixel(hi))\"/>\n"
                }
                if s.markers { out += "<circle class=\"marker\" cx=\"\(pixel(x(s.x[k])))\" cy=\"\(pixel(y(s.y[k])))\" r=\"3\"/>\n" }
            }
            out += "</g>\n"
        }
        out += legend(names: names, at: Self.left + Self.plotWidth + 16)
        return out + "</svg>"
    }

    /// Whether series `index` is drawn dashed: when asked, or when its palette colour repeats
    /// an earlier series' (the palette's second round is dashed).
    private func isDashed(_ index: Int) -> Bool {
        series[index].dashed || (series[index].color == nil && index >= Palette.colors.count)
    }

    /// The frame, grid, ticks, tick labels and axis labels.
    private func axes(x: LinearScale, y: LinearScale) -> String {
        let (left, right, top, base) = (Self.left, Self.left + Self.plotWidth, Self.top, Self.top + Self.plotHeight)
        var out = "<g class=\"axis\">\n<rect class=\"frame\" x=\"\(pixel(left))\" y=\"\(pixel(top))\" "
            + "width=\"\(pixel(Self.plotWidth))\" height=\"\(pixel(Self.plotHeight))\" fill=\"none\"/>\n"
        for t in x.ticks {
            let px = pixel(x(t))
            out += "<line class=\"grid\" x1=\"\(px)\" x2=\"\(px)\" y1=\"\(pixel(top))\" y2=\"\(pixel(base))\"/>"
                + "<line class=\"tick\" x1=\"\(px)\" x2=\"\(px)\" y1=\"\(pixel(base))\" y2=\"\(pixel(base + 5))\"/>"
                + "<text class=\"tick-label x\" x=\"\(px)\" y=\"\(pixel(base + 18))\">\(x.label(t))</text>\n"
        }
        for t in y.ticks {
            let py = pixel(y(t))
            out += "<line class=\"grid\" x1=\"\(pixel(left))\" x2=\"\(pixel(right))\" y1=\"\(py)\" y2=\"\(py)\"/>"
                + "<line class=\"tick\" x1=\"\(pixel(left - 5))\" x2=\"\(pixel(left))\" y1=\"\(py)\" y2=\"\(py)\"/>"
                + "<text class=\"tick-label y\" x=\"\(pixel(left - 8))\" y=\"\(pixel(y(t) + 4))\">\(y.label(t))</text>\n"
        }
        out += "<text class=\"axis-label x\" x=\"\(pixel((left + right) / 2))\" y=\"\(pixel(base + 40))\">\(escaped(xLabel))</text>\n"
        out += "<text class=\"axis-label y\" transform=\"translate(14 \(pixel((top + base) / 2))) rotate(-90)\">\(escaped(yLabel))</text>\n"
        return out + "</g>\n"
    }

    /// One swatch and name per series.
    private func legend(names: [String], at left: Double) -> String {
        guard !series.isEmpty else { return "" }
        var out = "<g class=\"legend\">\n"
        for (i, s) in series.enumerated() {
            let y = Self.top + 8 + 18 * Double(i)
            let color = s.color ?? Palette.color(i)
            out += "<line x1=\"\(pixel(left))\" x2=\"\(pixel(left + 22))\" y1=\"\(pixel(y))\" y2=\"\(pixel(y))\" stroke=\"\(color)\" "
                + "stroke-width=\"2.5\"\(isDashed(i) ? " stroke-dasharray=\"5 3\"" : "")/>"
                + "<text class=\"legend-label\" x=\"\(pixel(left + 28))\" y=\"\(pixel(y + 4))\">\(escaped(names[i]))</text>\n"
        }
        return out + "</g>\n"
    }

    /// A legend name cut to 30 characters (the series' tooltip keeps the whole name).
    static func shortened(_ name: String) -> String { name.count <= 30 ? name : String(name.prefix(29)) + "…" }
}
