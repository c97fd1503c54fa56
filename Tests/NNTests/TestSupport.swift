import NN
import Tensor
import XCTest

/// Gives `parameter` the dense gradient `gradient` through a real backward pass of `Σ p ⊙ gradient`.
func backpropagate(_ gradient: [Float], into parameter: Tensor) {
    (parameter * Tensor(shape: parameter.shape, values: gradient)).sum().backward()
}

/// Gathers `rows` of `table` and back-propagates `Σ gathered ⊙ gradient`: row `rows[i]` receives
/// gradient row `i` (summed over repeats), densely or row-sparsely as the table prefers.
func backpropagate(rows: [Int32], _ gradient: [Float], into table: Tensor) {
    let width = table.shape[1]
    (table.gather(rows, shape: [rows.count]) * Tensor(shape: [rows.count, width], values: gradient)).sum().backward()
}

/// Asserts that two float arrays are equal bit for bit.
func XCTAssertBitIdentical(_ a: [Float], _ b: [Float], _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.map(\.bitPattern), b.map(\.bitPattern), "\(message): \(a) vs \(b)", file: file, line: line)
}

/// Asserts that `actual` matches `expected` (computed in double precision) to float accuracy.
func XCTAssertClose(_ actual: [Float], _ expected: [Double], tolerance: Double = 1e-6, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, file: file, line: line)
    for (a, e) in zip(actual, expected) {
        XCTAssertEqual(Double(a), e, accuracy: tolerance * max(1, abs(e)), "\(actual) vs \(expected)", file: file, line: line)
    }
}

/// The rows `rows` of a `[V, width]` row-major array.
func rows(_ rows: [Int], of values: [Float], width: Int) -> [Float] {
    rows.flatMap { values[$0 * width ..< ($0 + 1) * width] }
}
