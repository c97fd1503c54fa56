import Tensor
import XCTest

/// Work cut into one part per worker thread.
final class ParallelismTests: XCTestCase {
    func testPartsCoverTheRangeInOrderEachSingleThreadedInside() {
        let threads = Parallelism.threadCount
        Parallelism.setThreadCount(2)
        defer { Parallelism.setThreadCount(threads) }
        let parts = Parallelism.mapParts(300, minimumPart: 128) { range in (range, Parallelism.threadCount) }
        XCTAssertEqual(parts.map(\.0), [0..<150, 150..<300])
        XCTAssertEqual(parts.map(\.1), [1, 1])
        XCTAssertEqual(Parallelism.threadCount, 2)
        // Too little work for two parts of the minimum size: one part, on the caller.
        XCTAssertEqual(Parallelism.mapParts(200, minimumPart: 128) { $0 }, [0..<200])
    }
}
