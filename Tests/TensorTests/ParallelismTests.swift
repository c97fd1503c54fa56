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

    func testBroadcastArithmeticGradientsAreTheSameOnOneAndTwoThreads() {
        let threads = Parallelism.threadCount
        defer { Parallelism.setThreadCount(threads) }
        // Large enough for the full-shape operand's gradient rows to be split over workers, and
        // for the broadcast operand's sums to be taken per worker and added after (which
        // changes only the order of the additions).
        let a = randomTensor([300, 128], seed: 70), b = randomTensor([128], seed: 71)
        let readout = randomTensor([300, 128], seed: 72)
        func gradients(threads: Int) -> [[Float]] {
            Parallelism.setThreadCount(threads)
            var all: [[Float]] = []
            for op in [BinaryOperator.add, .subtract, .multiply, .divide] {
                for t in [a, b] { t.zeroGrad(); t.requiresGrad = true }
                (a.elementwise(op, b) * readout).sum().backward()
                (b.elementwise(op, a) * readout).sum().backward()
                all += [a.grad!.values, b.grad!.values]
            }
            return all
        }
        for (one, two) in zip(gradients(threads: 1), gradients(threads: 2)) { assertClose(one, two, tolerance: 1e-4) }
    }

    func testBiasGradientOnTwoThreadsIsTheColumnSums() {
        let threads = Parallelism.threadCount
        defer { Parallelism.setThreadCount(threads) }
        Parallelism.setThreadCount(2)
        // 2,001 rows of 40 columns: two parts, a partial block of columns, rows not a multiple of 4.
        let x = randomTensor([2001, 8], seed: 80), w = randomTensor([8, 40], seed: 81), bias = randomTensor([40], seed: 82)
        let readout = randomTensor([2001, 40], seed: 83)
        bias.requiresGrad = true
        (x.linear(w, bias: bias) * readout).sum().backward()
        let columnSums = (0..<40).map { c in Float((0..<2001).reduce(0.0) { $0 + Double(readout[flat: $1 * 40 + c]) }) }
        assertClose(bias.grad!.values, columnSums, tolerance: 1e-5)
    }
}
