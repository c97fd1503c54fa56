import NN
import Tensor
import XCTest

/// Row-sparse gradients update lazily: the used rows exactly as a dense gradient would, the other
/// rows and their slots not at all.
final class SparseOptimizerTests: XCTestCase {
    /// 18 columns: a row is one 16-lane vector plus a scalar tail, while the dense update runs
    /// vectors across row boundaries — the two must still agree bit for bit.
    private let width = 18
    private let rowCount = 5

    private let optimizers: [(String, ([(name: String, tensor: Tensor)]) -> Optimizer)] = [
        ("SGD", { SGD(parameters: $0, learningRate: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.1) }),
        ("Adam", { Adam(parameters: $0, learningRate: 0.1, weightDecay: 0.1) }),
        ("AdamW", { AdamW(parameters: $0, learningRate: 0.1, weightDecay: 0.1) }),
        ("Adagrad", { Adagrad(parameters: $0, learningRate: 0.1, initialAccumulatorValue: 0.1, weightDecay: 0.1) }),
    ]

    func testSparseUpdateMatchesDenseOnUsedRowsAndSkipsTheOthers() {
        for (name, makeOptimizer) in optimizers {
            var generator = RandomGenerator(seed: 5)
            let initial = Initializer.normal(standardDeviation: 1).makeParameter([rowCount, width], generator: &generator)
            let dense = initial.detached(), sparse = initial.detached()
            dense.requiresGrad = true
            sparse.requiresGrad = true
            sparse.prefersRowSparseGradient = true
            let denseOptimizer = makeOptimizer([("table", dense)])
            let sparseOptimizer = makeOptimizer([("table", sparse)])
            let upstream = (0..<3 * width).map { _ in generator.nextNormal() }

            // Steps 1 and 2 use rows 1 and 3 (row 1 twice per batch).
            for _ in 0..<2 {
                for table in [dense, sparse] { backpropagate(rows: [1, 3, 1], upstream, into: table) }
                XCTAssertEqual(sparse.rowGrad?.rows, [1, 3])
                denseOptimizer.step()
                sparseOptimizer.step()
            }
            XCTAssertBitIdentical(rows([1, 3], of: sparse.values, width: width),
                                  rows([1, 3], of: dense.values, width: width), name)
            XCTAssertBitIdentical(rows([0, 2, 4], of: sparse.values, width: width),
                                  rows([0, 2, 4], of: initial.values, width: width), "\(name): unused rows")
            XCTAssertNotEqual(rows([0], of: dense.values, width: width), rows([0], of: initial.values, width: width),
                              "\(name): dense weight decay reaches every row")
            for slot in sparseOptimizer.state.slotNames {
                let sparseSlot = sparseOptimizer.state.slot(slot, of: "table")!.values
                let denseSlot = denseOptimizer.state.slot(slot, of: "table")!.values
                XCTAssertBitIdentical(rows([1, 3], of: sparseSlot, width: width), rows([1, 3], of: denseSlot, width: width),
                                      "\(name) \(slot)")
                let untouched: Float = name == "Adagrad" ? 0.1 : 0
                XCTAssertTrue(rows([0, 2, 4], of: sparseSlot, width: width).allSatisfy { $0 == untouched },
                              "\(name) \(slot): unused rows")
            }

            // Step 3 uses row 3 only: row 1 keeps its values and slots in the sparse table, while
            // row 3, used at every step, still matches the dense update.
            let row1 = rows([1], of: sparse.values, width: width)
            let row1Slots = sparseOptimizer.state.slotNames.map {
                rows([1], of: sparseOptimizer.state.slot($0, of: "table")!.values, width: width)
            }
            for table in [dense, sparse] { backpropagate(rows: [3], Array(upstream.prefix(width)), into: table) }
            denseOptimizer.step()
            sparseOptimizer.step()
            XCTAssertBitIdentical(rows([3], of: sparse.values, width: width), rows([3], of: dense.values, width: width),
                                  "\(name): step 3")
            XCTAssertBitIdentical(rows([1], of: sparse.values, width: width), row1, "\(name): lazy row")
            for (slot, before) in zip(sparseOptimizer.state.slotNames, row1Slots) {
                XCTAssertBitIdentical(rows([1], of: sparseOptimizer.state.slot(slot, of: "table")!.values, width: width),
                                      before, "\(name) \(slot): lazy row")
            }
        }
    }

    func testLazyAdamCorrectsBiasWithTheGlobalStepCount() {
        // Row 0 is first used at step 3: its first update uses 1 − β1³ and 1 − β2³, not step 1's.
        let table = Tensor.zeros([2, 1], requiresGrad: true)
        table.prefersRowSparseGradient = true
        let optimizer = Adam(parameters: [("table", table)], learningRate: 0.1)
        for _ in 0..<2 {
            backpropagate(rows: [1], [1], into: table)
            optimizer.step()
        }
        backpropagate(rows: [0], [0.5], into: table)
        optimizer.step()
        let m = 0.1 * 0.5, v = 0.001 * 0.25
        let expected = -0.1 * (m / (1 - 0.729)) / ((v / (1 - pow(0.999, 3))).squareRoot() + 1e-8)
        XCTAssertClose([table.values[0]], [expected])
    }
}
