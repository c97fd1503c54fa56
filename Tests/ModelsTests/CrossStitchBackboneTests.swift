import Models
import NN
import Tensor
import XCTest

/// Cross-stitch units: their initial mixing, and identity stitches leaving the columns independent.
final class CrossStitchBackboneTests: XCTestCase {
    private func makeBackbone(tasks: Int) -> CrossStitchBackbone {
        var generator = RandomGenerator(seed: 11)
        return CrossStitchBackbone(tasks: tasks, inputSize: 5, columnHidden: [4, 3], towerHidden: [2],
                                   style: LayerStyle(activation: .tanh), generator: &generator)
    }

    private func input(seed: UInt64) -> Tensor {
        var generator = RandomGenerator(seed: seed)
        return Tensor(shape: [4, 5], values: (0..<20).map { _ in generator.nextUniform() * 2 - 1 })
    }

    func testStitchesStartMostlyOnTheirOwnColumn() {
        XCTAssertEqual(makeBackbone(tasks: 3).stitches[0].values, [0.9, 0.05, 0.05,
                                                                   0.05, 0.9, 0.05,
                                                                   0.05, 0.05, 0.9])
        XCTAssertEqual(makeBackbone(tasks: 1).stitches[0].values, [1])
    }

    func testIdentityStitchesGiveIndependentColumns() {
        let backbone = makeBackbone(tasks: 2)
        for stitch in backbone.stitches {
            for k in 0..<4 { stitch[flat: k] = k % 3 == 0 ? 1 : 0 }
        }
        let inputs = [input(seed: 1), input(seed: 2)]
        let outputs = backbone(inputs)
        for t in 0..<2 {
            // Column t alone: its slice of every stacked layer, then its tower.
            var h = inputs[t]
            for layer in backbone.layers {
                let (inputSize, outputSize) = (layer.weight.shape[1], layer.weight.shape[2])
                let weight = layer.weight.slice(axis: 0, t..<(t + 1)).reshaped([inputSize, outputSize])
                h = (h.matmul(weight) + layer.bias.slice(axis: 0, t..<(t + 1)).reshaped([outputSize])).tanh()
            }
            let column = backbone.towers.towers[t](h)
            for (a, b) in zip(outputs[t].values, column.values) { XCTAssertEqual(a, b, accuracy: 1e-5) }
        }
    }

    func testStitchesShareInformationBetweenColumns() {
        let backbone = makeBackbone(tasks: 2)
        let first = backbone([input(seed: 1), input(seed: 2)])[0].values
        let otherInputChanged = backbone([input(seed: 1), input(seed: 3)])[0].values
        XCTAssertNotEqual(first, otherInputChanged)
    }
}
