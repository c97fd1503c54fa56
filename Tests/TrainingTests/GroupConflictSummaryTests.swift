@testable import Training
import XCTest

/// A run's conflict summary takes the last record's rates and the cosine over every record.
final class GroupConflictSummaryTests: XCTestCase {
    func record(step: Int, cosines: [Double], rates: [Double]) -> ConflictRecord {
        let names = [("a", "b"), ("a", "c"), ("b", "c")]
        let pairs = zip(names, zip(cosines, rates)).map { names, values in
            ConflictRecord.Pair(a: names.0, b: names.1, cosine: values.0, conflictRate: values.1)
        }
        return ConflictRecord(step: step, epoch: 1, tasks: ["a", "b", "c"], taskLoss: [1, 1, 1], groups: [
            .init(name: "overall-shared", shared: true, norms: [1, 1, 1], pairs: pairs),
            .init(name: "task-specific", shared: false, norms: [1, 1, 1], pairs: []),
        ])
    }

    func testTheSummaryIsTheLastRateAndTheMeanCosine() {
        let records = [record(step: 0, cosines: [-0.5, 0.2, 0.3], rates: [1, 0, 0]),
                       record(step: 10, cosines: [0.1, -0.4, 0.6], rates: [0.5, 0.5, 0])]
        let summaries = GroupConflictSummary.summaries(of: records)
        XCTAssertEqual(summaries.map(\.name), ["overall-shared", "task-specific"])
        XCTAssertEqual(summaries[0].conflictRate, 1.0 / 3, accuracy: 1e-12)          // (0.5 + 0.5 + 0) / 3
        XCTAssertEqual(summaries[0].meanCosine, 0.3 / 6, accuracy: 1e-12)            // (−0.5+0.2+0.3+0.1−0.4+0.6) / 6
        XCTAssertTrue(summaries[0].shared)
        XCTAssertEqual(summaries[1], GroupConflictSummary(name: "task-specific", shared: false, conflictRate: 0, meanCosine: 0))
        XCTAssertEqual(GroupConflictSummary.summaries(of: []), [])
    }
}
