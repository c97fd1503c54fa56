import Foundation
import FoundationXML
import XCTest

/// A report parsed as XML, with the charts' drawn points read back into data coordinates.
struct ReportDocument {
    let document: XMLDocument

    /// Parses `html`; fails the test when it is not well-formed.
    init(_ html: String) throws {
        document = try XMLDocument(data: Data(html.utf8), options: [])
    }

    /// Elements named `name` (any namespace) under `node`, in document order.
    func elements(_ name: String, under node: XMLNode? = nil) throws -> [XMLElement] {
        var found: [XMLElement] = []
        func visit(_ node: XMLNode) {
            for child in node.children ?? [] {
                if let element = child as? XMLElement, element.localName == name { found.append(element) }
                visit(child)
            }
        }
        visit(node ?? document)
        return found
    }

    /// The chart titled `title`.
    func chart(_ title: String) throws -> XMLElement {
        let charts = try elements("svg")
        let titles = charts.map { $0["aria-label"] ?? "" }
        return try XCTUnwrap(charts.first { $0["aria-label"] == title },
                             "no chart titled \(title); charts: \(titles)")
    }

    /// The chart's series by name: the points its line passes through, mapped back from pixels
    /// through the chart's axes, and the values it states in its data attributes.
    func series(of chart: XMLElement) throws -> [String: (drawn: [(x: Double, y: Double)], x: [Double], y: [Double])] {
        func numbers(_ element: XMLElement, _ attribute: String) -> [Double] {
            (element[attribute] ?? "").split(separator: " ").compactMap { Double($0) }
        }
        let (xDomain, yDomain, plot) = (numbers(chart, "data-x-domain"), numbers(chart, "data-y-domain"), numbers(chart, "data-plot"))
        var out: [String: (drawn: [(x: Double, y: Double)], x: [Double], y: [Double])] = [:]
        for group in try elements("g", under: chart) where group["class"] == "series" {
            let name = group["data-series"] ?? ""
            let line = try elements("path", under: group).first { $0["class"] == "line" }
            let coordinates = (line?["d"] ?? "").split(whereSeparator: { " ML".contains($0) })
                .compactMap { Double($0) }
            let drawn = stride(from: 0, to: coordinates.count - 1, by: 2).map { i in
                (x: xDomain[0] + (coordinates[i] - plot[0]) / plot[2] * (xDomain[1] - xDomain[0]),
                 y: yDomain[0] + (plot[1] + plot[3] - coordinates[i + 1]) / plot[3] * (yDomain[1] - yDomain[0]))
            }
            out[name] = (drawn, numbers(group, "data-x"), numbers(group, "data-y"))
        }
        return out
    }
}

/// Asserts that `drawn` points are `expected` to within the drawing's rounding (1/100 px of the span).
func assertPoints(_ drawn: [(x: Double, y: Double)], _ expected: [(Double, Double)], yTolerance: Double,
                  file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(drawn.count, expected.count, "points", file: file, line: line)
    for (d, e) in zip(drawn, expected) {
        XCTAssertEqual(d.x, e.0, accuracy: 1e-3 * max(1, abs(e.0)), file: file, line: line)
        XCTAssertEqual(d.y, e.1, accuracy: yTolerance, file: file, line: line)
    }
}

extension XMLElement {
    /// The value of attribute `name`.
    subscript(_ name: String) -> String? {
        attributes?.first { $0.name == name || $0.localName == name }?.stringValue
    }
}
