import Foundation
import Tensor
import RecMetrics
import XCTest

/// Metrics against values computed another way.
final class MetricTests: XCTestCase {
    /// AUC as the definition counts it: over every positive–negative pair, 1 when the
    /// positive scores higher, ½ on a tie.
    private func pairwiseAUC(_ s: [Float], _ y: [Float]) -> Double? {
        var wins = 0.0, pairs = 0.0
        for i in s.indices where y[i] == 1 {
            for j in s.indices where y[j] == 0 {
                pairs += 1
                wins += s[i] > s[j] ? 1 : (s[i] == s[j] ? 0.5 : 0)
            }
        }
        return pairs > 0 ? wins / pairs : nil
    }

    func testAUCEqualsPairwiseCountWithTies() throws {
        var rng = RandomGenerator(seed: 3)
        for trial in 0..<20 {
            let n = 5 + trial * 7
            // Scores on a coarse grid so that many tie.
            let scores = (0..<n).map { _ in Float(rng.nextInt(below: 6)) / 5 }
            let labels = (0..<n).map { _ in Float(rng.nextInt(below: 2)) }
            let expected = pairwiseAUC(scores, labels)
            let actual = AUC.compute(scores: scores, labels: labels)
            XCTAssertEqual(actual == nil, expected == nil)
            if let e = expected { XCTAssertEqual(try XCTUnwrap(actual), e, accuracy: 1e-12) }
        }
    }

    func testAUCKnownValuesAndDegenerateCases() {
        XCTAssertEqual(AUC.compute(scores: [0.1, 0.4, 0.35, 0.8], labels: [0, 0, 1, 1]), 0.75)
        XCTAssertEqual(AUC.compute(scores: [0.5, 0.5], labels: [0, 1]), 0.5)
        XCTAssertEqual(AUC.compute(scores: [0.1, 0.2, 0.3, 0.4], labels: [0, 0, 1, 1]), 1)
        XCTAssertEqual(AUC.compute(scores: [0.4, 0.3, 0.2, 0.1], labels: [0, 0, 1, 1]), 0)
        XCTAssertEqual(AUC.compute(scores: [1, 1, 1, 1], labels: [0, 0, 1, 1]), 0.5)
        XCTAssertNil(AUC.compute(scores: [0.1, 0.2], labels: [1, 1]))
        XCTAssertNil(AUC.compute(scores: [], labels: []))
        // A masked-out pair does not count.
        XCTAssertEqual(AUC.compute(scores: [0.9, 0.1, 0.2, 0.3], labels: [0, 1, 0, 1], mask: [0, 1, 1, 1]), 0.5)
    }

    func testGroupAUCFollowsItsDefinition() throws {
        let scores: [Float] = [0.9, 0.2, 0.4, 0.3, 0.8, 0.1, 0.5, 0.6, 0.7]
        let labels: [Float] = [1, 0, 0, 1, 1, 0, 1, 1, 0]
        let groups: [Int64] = [1, 1, 1, 2, 2, 2, 3, 3, 9]
        // Group 1: pairs (0.9 vs 0.2, 0.4) → 1. Group 2: 0.3 vs 0.1 win, 0.8 vs 0.1 win → 1.
        // Group 3 has only positives and group 9 only a negative: both left out.
        let g1 = try XCTUnwrap(pairwiseAUC([0.9, 0.2, 0.4], [1, 0, 0]))
        let g2 = try XCTUnwrap(pairwiseAUC([0.3, 0.8, 0.1], [1, 1, 0]))
        XCTAssertEqual(try XCTUnwrap(GroupAUC.compute(scores: scores, labels: labels, groups: groups)), (3 * g1 + 3 * g2) / 6, accuracy: 1e-12)
        let mixed: [Float] = [0.2, 0.9, 0.4, 0.3, 0.8, 0.1]
        // Group 1 now scores 0.5 (one of two pairs won), group 2 still 1: weights 3 and 3.
        XCTAssertEqual(try XCTUnwrap(GroupAUC.compute(scores: mixed, labels: [1, 0, 1, 1, 1, 0], groups: [1, 1, 1, 2, 2, 2])),
                       (3 * pairwiseAUC([0.2, 0.9, 0.4], [1, 0, 1])! + 3 * 1) / 6, accuracy: 1e-12)
    }

    func testLogLossMatchesHandComputation() throws {
        let p: [Float] = [0.9, 0.2, 0.5]
        let y: [Float] = [1, 0, 1]
        let expected = -(Foundation.log(0.9) + Foundation.log(0.8) + Foundation.log(0.5)) / 3
        XCTAssertEqual(try XCTUnwrap(LogLoss.compute(probabilities: p, labels: y)), expected, accuracy: 1e-6)
        XCTAssertEqual(try XCTUnwrap(LogLoss.compute(probabilities: p, labels: y, mask: [1, 0, 0])), -Foundation.log(0.9), accuracy: 1e-6)
        XCTAssertNil(LogLoss.compute(probabilities: p, labels: y, mask: [0, 0, 0]))
    }
}
