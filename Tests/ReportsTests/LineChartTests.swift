import Foundation
import FoundationXML
@testable import Reports
import XCTest

/// A chart with more series than the palette has colours draws the repeated colours dashed,
/// in the lines and in the legend.
final class LineChartTests: XCTestCase {
    func testSeriesPastThePaletteAreDashed() throws {
        let count = Palette.colors.count + 2
        let chart = LineChart(title: "t", xLabel: "x", yLabel: "y", series: (0..<count).map { i in
            .init(name: "s\(i)", x: [0, 1], y: [Double(i), Double(i) + 1])
        })
        let document = try XMLDocument(xmlString: chart.svg)
        let lines = try document.nodes(forXPath: "//*[local-name()='g'][@class='series']/*[local-name()='path'][@class='line']")
        let swatches = try document.nodes(forXPath: "//*[local-name()='g'][@class='legend']/*[local-name()='line']")
        func dashed(_ nodes: [XMLNode]) -> [Bool] {
            nodes.map { ($0 as? XMLElement)?["stroke-dasharray"] != nil }
        }
        let expected = (0..<count).map { $0 >= Palette.colors.count }
        XCTAssertEqual(dashed(lines), expected)
        XCTAssertEqual(dashed(swatches), expected)
    }
}
