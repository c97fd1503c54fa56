/// A complete, self-contained HTML page: inline CSS, no scripts, no external resources. Well-formed
/// XML as well as HTML (every element closed, only character references), so that it parses as both.
enum HTMLPage {
    /// The page titled `title` around `body` (already HTML).
    static func document(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html xmlns="http://www.w3.org/1999/xhtml" lang="en">
        <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title>\(escaped(title))</title>
        <style>
        \(style)
        </style>
        </head>
        <body>
        <h1>\(escaped(title))</h1>
        \(body)
        </body>
        </html>

        """
    }

    /// A table with a header row; cells are HTML already.
    static func table(header: [String], rows: [[String]], classes: [[String]]? = nil) -> String {
        var out = "<table>\n<thead><tr>" + header.map { "<th>\(escaped($0))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
        for (r, row) in rows.enumerated() {
            out += "<tr>" + row.enumerated().map { c, cell in
                let cls = classes?[r][c] ?? ""
                return cls.isEmpty ? "<td>\(cell)</td>" : "<td class=\"\(cls)\">\(cell)</td>"
            }.joined() + "</tr>\n"
        }
        return out + "</tbody>\n</table>\n"
    }

    /// `value` to four decimals, or a dash.
    static func number(_ value: Double?, digits: Int = 4) -> String {
        value.map { String(format: "%.\(digits)f", $0) } ?? "–"
    }

    static let style = """
    body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; font-size: 14px; color: #1a1a1a; margin: 24px; max-width: 1400px; }
    h1 { font-size: 22px; margin: 0 0 8px; }
    h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid #cccccc; padding-bottom: 4px; }
    h3 { font-size: 15px; margin: 16px 0 6px; }
    p.note { color: #555555; margin: 4px 0 10px; }
    code { font-family: "DejaVu Sans Mono", monospace; font-size: 13px; background: #f2f2f2; padding: 0 3px; }
    table { border-collapse: collapse; margin: 6px 0 14px; font-size: 13px; }
    th, td { border: 1px solid #d0d0d0; padding: 3px 8px; text-align: left; }
    th { background: #f0f3f7; }
    td.num { text-align: right; font-variant-numeric: tabular-nums; }
    td.differs { background: #fff4d6; }
    .tables { display: flex; flex-wrap: wrap; gap: 0 28px; align-items: flex-start; }
    .charts { display: flex; flex-wrap: wrap; gap: 12px 20px; }
    svg text { font-family: "DejaVu Sans", Arial, sans-serif; fill: #1a1a1a; }
    svg .chart-title { font-size: 14px; font-weight: bold; }
    svg .tick-label { font-size: 11px; }
    svg .tick-label.x { text-anchor: middle; }
    svg .tick-label.y { text-anchor: end; }
    svg .axis-label { font-size: 12px; text-anchor: middle; }
    svg .legend-label, svg .key-label, svg .key-title { font-size: 12px; }
    svg .frame { stroke: #555555; stroke-width: 1; }
    svg .grid { stroke: #e6e6e6; stroke-width: 1; }
    svg .tick { stroke: #555555; stroke-width: 1; }
    svg .reference { stroke: #888888; stroke-width: 1; stroke-dasharray: 2 2; }
    svg .line { stroke-width: 2; }
    svg .error { stroke-width: 1.5; }
    svg .marker { stroke: #ffffff; stroke-width: 0.8; }
    svg .row-label { font-size: 12px; text-anchor: end; }
    svg .column-label { font-size: 12px; text-anchor: middle; }
    svg .cell { stroke: #ffffff; stroke-width: 1; }
    svg .cell.empty { fill: #f4f4f4; }
    svg .cell-label { font-size: 11px; text-anchor: middle; }
    """
}
