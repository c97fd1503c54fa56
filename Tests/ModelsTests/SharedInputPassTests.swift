import Models
import NN
import Tensor
import XCTest

/// When every task reads the same field-gather input (the baselines), MMoE and PLE compute
/// their first layers and gates together; the result must equal the per-task path they take
/// for distinct inputs (DTRN), in training and in scoring.
final class SharedInputPassTests: XCTestCase {
    private let rows = 32
    private let tables = (0..<3).map { f in randomTable(seed: UInt64(f + 1)) }

    /// Three categorical fields of 5 values, width 4, flattened to `[rows, 12]`.
    private func fields() -> Tensor {
        let ids = (0..<rows * 3).map { (i: Int) -> Int32 in Int32((i * 7 + i / 3) % 5) }
        return Tensor.gatherFields(tables, ids: ids, rows: rows).reshaped([rows, -1])
    }

    private func assertPathsAgree(_ backbone: any Backbone & Module, file: StaticString = #filePath, line: UInt = #line) {
        for training in [true, false] {
            backbone.train(training)
            for table in tables { table.requiresGrad = training }
            let x = fields()
            let together = backbone([x, x])
            let apart = backbone([x * 1, x * 1])
            for (a, b) in zip(together, apart) {
                XCTAssertEqual(a.values.count, b.values.count, file: file, line: line)
                for (u, v) in zip(a.values, b.values) { XCTAssertEqual(u, v, accuracy: 1e-4, "training: \(training)", file: file, line: line) }
            }
        }
    }

    func testMixtureOfExpertsSharedInputPassEqualsPerTaskPass() {
        var generator = RandomGenerator(seed: 3)
        assertPathsAgree(MixtureOfExpertsBackbone(tasks: 2, inputSize: 12, expertCount: 3, expertHidden: [8, 4],
                                                  towerHidden: [4], style: LayerStyle(batchNorm: true),
                                                  generator: &generator))
    }

    func testProgressiveLayeredExtractionSharedInputPassEqualsPerTaskPass() {
        var generator = RandomGenerator(seed: 4)
        assertPathsAgree(ProgressiveLayeredExtractionBackbone(
            tasks: 2, inputSize: 12, levelCount: 2, taskExpertCount: 2, sharedExpertCount: 1, expertHidden: [8],
            towerHidden: [4], style: LayerStyle(batchNorm: true), generator: &generator))
    }

    /// PLE as Tang et al. define it, composed by hand from the backbone's own parts, on
    /// task-specific inputs: the first level's shared experts read each task's input on its
    /// path and the mean of the inputs on the shared path; the second level's read only the
    /// shared input, once.
    func testProgressiveLayeredExtractionMatchesItsDefinitionOnTaskSpecificInputs() {
        var generator = RandomGenerator(seed: 5)
        let ple = ProgressiveLayeredExtractionBackbone(
            tasks: 2, inputSize: 12, levelCount: 2, taskExpertCount: 2, sharedExpertCount: 2, expertHidden: [8, 6],
            towerHidden: [4], style: LayerStyle(batchNorm: false), generator: &generator)
        ple.train(false)
        let x = fields()
        let inputs = [x * 0.5, x * -1]
        func mix(_ parts: [Tensor], _ gate: SoftmaxGate, _ input: Tensor) -> Tensor {
            ExpertGroup.mix(Tensor.concat(parts, axis: 1), gates: gate(input))
        }
        let first = ple.levels[0], second = ple.levels[1]
        let mean = (inputs[0] + inputs[1]) * 0.5
        let own1 = (0..<2).map { first.taskExperts[$0](inputs[$0]) }
        let hidden = (0..<2).map { mix([own1[$0], first.sharedExperts(inputs[$0])], first.taskGates[$0], inputs[$0]) }
        let shared = mix(own1 + [first.sharedExperts(mean)], first.sharedGate!, mean)
        let sharedExperts = second.sharedExperts(shared)
        let top = (0..<2).map { mix([second.taskExperts[$0](hidden[$0]), sharedExperts], second.taskGates[$0], hidden[$0]) }
        let expected = ple.towers(top)
        for (a, b) in zip(ple(inputs), expected) {
            XCTAssertEqual(a.shape, b.shape)
            for (u, v) in zip(a.values, b.values) { XCTAssertEqual(u, v, accuracy: 1e-5) }
        }
    }
}

private func randomTable(seed: UInt64) -> Tensor {
    var generator = RandomGenerator(seed: seed)
    return Tensor(shape: [5, 4], values: (0..<20).map { _ in generator.nextUniform() * 2 - 1 })
}
