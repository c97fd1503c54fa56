import XCTest

import Randomness

final class RandomGeneratorTests: XCTestCase {
    func testTheSameSeedAndStreamRepeatTheSequence() {
        var (a, b) = (RandomGenerator(seed: 5, stream: 2), RandomGenerator(seed: 5, stream: 2))
        var c = RandomGenerator(seed: 5, stream: 3)
        let first = (0..<8).map { _ in a.next() }
        XCTAssertEqual(first, (0..<8).map { _ in b.next() })
        XCTAssertNotEqual(first, (0..<8).map { _ in c.next() })
    }

    func testIntegersStayBelowTheirBoundAndCoverIt() {
        var random = RandomGenerator(seed: 1)
        let draws = (0..<1_000).map { _ in random.nextInt(below: 7) }
        XCTAssertEqual(Set(draws), Set(0..<7))
    }

    func testNormalDrawsHaveUnitMoments() {
        var random = RandomGenerator(seed: 2)
        let draws = (0..<20_000).map { _ in random.nextStandardNormal() }
        let mean = draws.reduce(0, +) / Double(draws.count)
        let variance = draws.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(draws.count)
        XCTAssertEqual(mean, 0, accuracy: 0.03)
        XCTAssertEqual(variance, 1, accuracy: 0.05)
    }

    func testShuffleIsAPermutation() {
        var random = RandomGenerator(seed: 3)
        var values = Array(0..<50)
        random.shuffle(&values)
        XCTAssertNotEqual(values, Array(0..<50))
        XCTAssertEqual(values.sorted(), Array(0..<50))
    }
}
