@testable import Models
import NN
import Tensor
import XCTest

/// Scoring a batch slice by slice on the worker threads gives the numbers of scoring it whole.
final class ScoringTests: XCTestCase {
    func testEveryModelScoresSlicesAsTheWholeBatch() throws {
        let threads = Parallelism.threadCount
        Parallelism.setThreadCount(2)
        defer { Parallelism.setThreadCount(threads) }
        let batch = tinyBatch(size: 300)
        for (name, config) in allTinyConfigs {
            var config = config
            config.batchNorm = true
            let layout = tinyLayout(for: config)
            let model = try ModelZoo.make(config, layout: layout, seed: 5)
            model.eval()
            let loss = MultiTaskLoss(tasks: layout.tasks)
            let whole = Autograd.inference { loss.probabilities(model(batch)).values }
            let sliced = model.scores(batch, loss: loss)
            XCTAssertEqual(sliced.count, whole.count, name)
            for (s, w) in zip(sliced, whole) { XCTAssertEqual(s, w, accuracy: 1e-5, name) }
        }
    }

    func testAWideModelScoresEachThreadsPartInSlices() throws {
        let threads = Parallelism.threadCount
        defer { Parallelism.setThreadCount(threads) }
        // 3 experts of 1,000: 3,000 floats of layer output per row, so 256-row slices.
        var config = tinyConfig("mmoe")
        config.batchNorm = true
        config.expertHidden = [1_000]
        let layout = tinyLayout(for: config)
        let model = try ModelZoo.make(config, layout: layout, seed: 6)
        XCTAssertEqual(model.rowsPerScoringSlice, 256)
        model.eval()
        let loss = MultiTaskLoss(tasks: layout.tasks)
        let batch = tinyBatch(size: 700)
        let whole = Autograd.inference { loss.probabilities(model(batch)).values }
        for count in [1, 2] {
            Parallelism.setThreadCount(count)
            let sliced = model.scores(batch, loss: loss)
            XCTAssertEqual(sliced.count, whole.count)
            for (s, w) in zip(sliced, whole) { XCTAssertEqual(s, w, accuracy: 1e-5, "\(count) threads") }
        }
    }

    func testABatchSliceHoldsItsRows() {
        let batch = tinyBatch(size: 6), slice = batch.rows(2..<5)
        XCTAssertEqual(slice.size, 3)
        XCTAssertEqual(slice.categorical, Array(batch.categorical[4..<10]))
        XCTAssertEqual(slice.numeric.values, Array(batch.numeric.values[2..<5]))
        XCTAssertEqual(slice.sequences[0], Array(batch.sequences[0][8..<20]))
        XCTAssertEqual(slice.sequenceMasks[1].values, Array(batch.sequenceMasks[1].values[6..<15]))
    }
}
