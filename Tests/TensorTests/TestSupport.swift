import Tensor
import XCTest

/// A tensor of uniform values in `range`, reproducible from `seed`.
func randomTensor(_ shape: [Int], seed: UInt64, in range: ClosedRange<Float> = -1...1) -> Tensor {
    var rng = RandomGenerator(seed: seed)
    let n = shape.reduce(1, *)
    return Tensor(shape: shape, values: (0..<n).map { _ in range.lowerBound + rng.nextUniform() * (range.upperBound - range.lowerBound) })
}

/// Asserts that the tape's gradients of `f` with respect to `inputs` match finite differences.
func assertGradientsMatch(
    _ inputs: [Tensor], tolerance: Float = 1e-2, epsilon: Float = 1e-2,
    file: StaticString = #filePath, line: UInt = #line, _ f: () -> Tensor
) {
    let report = GradientCheck.run(inputs: inputs, epsilon: epsilon, f)
    XCTAssertGreaterThan(report.checked, 0, file: file, line: line)
    XCTAssertLessThan(report.maxError, tolerance, "\(report)", file: file, line: line)
}

/// Asserts elementwise closeness.
func assertClose(_ a: [Float], _ b: [Float], tolerance: Float = 1e-5, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, "sizes differ", file: file, line: line)
    for (i, (x, y)) in zip(a, b).enumerated() where abs(x - y) > tolerance * max(1, abs(x), abs(y)) {
        XCTFail("element \(i): \(x) vs \(y)", file: file, line: line)
        return
    }
}
