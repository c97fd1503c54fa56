import XCTest

@testable import RecData

final class SyntheticAUCTests: XCTestCase {
    /// The AUC as the fraction of (positive, negative) pairs ranked right, ties counting one half.
    private func pairwiseAUC(scores: [Float], labels: [Float]) -> Double {
        var wins = 0.0, pairs = 0.0
        for i in scores.indices where labels[i] == 1 {
            for j in scores.indices where labels[j] == 0 {
                pairs += 1
                wins += scores[i] > scores[j] ? 1 : scores[i] == scores[j] ? 0.5 : 0
            }
        }
        return wins / pairs
    }

    func testMatchesThePairwiseCountWithManyTies() throws {
        var random = SyntheticRandom(seed: 11)
        for _ in 0..<20 {
            let count = 2 + random.int(below: 200)
            let scores = (0..<count).map { _ in Float(random.int(below: 6)) }
            let labels = (0..<count).map { i in i < 2 ? Float(i) : Float(random.int(below: 2)) }
            let auc = try XCTUnwrap(exactAUC(scores: scores, labels: labels))
            XCTAssertEqual(auc, pairwiseAUC(scores: scores, labels: labels), accuracy: 1e-12)
        }
    }

    func testPerfectReversedAndTiedRankings() {
        let labels: [Float] = [0, 0, 1, 1]
        XCTAssertEqual(exactAUC(scores: [0.1, 0.2, 0.3, 0.4], labels: labels), 1)
        XCTAssertEqual(exactAUC(scores: [0.4, 0.3, 0.2, 0.1], labels: labels), 0)
        XCTAssertEqual(exactAUC(scores: [1, 1, 1, 1], labels: labels), 0.5)
    }

    func testIsUndefinedForASingleClass() {
        XCTAssertNil(exactAUC(scores: [0.1, 0.2], labels: [1, 1]))
        XCTAssertNil(exactAUC(scores: [], labels: []))
    }
}
