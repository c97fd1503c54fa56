import Tensor
import XCTest

/// Taking rows into a dense block (a gather) and placing them back.
final class RowPackingTests: XCTestCase {
    private let rows: [Int32] = [1, 2, 4, 7]

    func testSelectingAndPlacingAreInverse() {
        let x = Tensor(shape: [4, 2, 3], values: (0..<24).map(Float.init))
        let selected = x.reshaped([8, 3]).gather(rows, shape: [4])
        XCTAssertEqual(selected.shape, [4, 3])
        XCTAssertEqual(selected.values, [3, 4, 5, 6, 7, 8, 12, 13, 14, 21, 22, 23])
        let placed = selected.placingRows(rows, count: 8)
        XCTAssertEqual(placed.shape, [8, 3])
        XCTAssertEqual(placed.values, [0, 0, 0, 3, 4, 5, 6, 7, 8, 0, 0, 0, 12, 13, 14, 0, 0, 0, 0, 0, 0, 21, 22, 23])
    }

    func testGradientsMatchFiniteDifferences() {
        let x = randomTensor([8, 3], seed: 1), y = randomTensor([4, 3], seed: 2)
        let (probeX, probeY) = (randomTensor([4, 3], seed: 3), randomTensor([8, 3], seed: 4))
        assertGradientsMatch([x]) { (x.gather(rows, shape: [4]) * probeX).sum() }
        assertGradientsMatch([y]) { (y.placingRows(rows, count: 8) * probeY).sum() }
    }

    func testGradientsAccumulateOnTwoThreads() {
        let threads = Parallelism.threadCount
        defer { Parallelism.setThreadCount(threads) }
        Parallelism.setThreadCount(2)
        // Every third of 3,000 rows of 32: enough to split; each input is read twice.
        let rows = (0..<1000).map { Int32(3 * $0 + 1) }
        let x = randomTensor([3000, 32], seed: 5), y = randomTensor([1000, 32], seed: 6)
        x.requiresGrad = true
        y.requiresGrad = true
        (x.gather(rows, shape: [1000]).sum() + x.sum() + (y.placingRows(rows, count: 3000) * 2).sum() + y.sum()).backward()
        let gx = x.grad!.values, gy = y.grad!.values
        for r in 0..<3000 {
            XCTAssertEqual(gx[r * 32], r % 3 == 1 ? 2 : 1, "row \(r)")
        }
        XCTAssertEqual(gy, Array(repeating: 3, count: 1000 * 32))
    }
}
