import NN
import Tensor
import XCTest

/// Every layer's gradients against finite differences, inputs and parameters alike.
final class LayerGradientTests: XCTestCase {
    private func values(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
        var rng = RandomGenerator(seed: seed)
        return Tensor(shape: shape, values: (0..<shape.reduce(1, *)).map { _ in (rng.nextUniform() * 2 - 1) * scale })
    }

    private func check(_ name: String, _ module: Module, inputs: [Tensor], tolerance: Float = 2e-2,
                       file: StaticString = #filePath, line: UInt = #line, _ f: () -> Tensor) {
        let report = GradientCheck.run(inputs: inputs + module.parameters().map(\.tensor), epsilon: 3e-3, f)
        XCTAssertLessThan(report.maxError, tolerance, "\(name): \(report)", file: file, line: line)
    }

    private let mask = Tensor(shape: [2, 4], values: [0, 1, 1, 1, 0, 0, 0, 1])

    func testMLPWithBatchNorm() {
        var g = RandomGenerator(seed: 1)
        let mlp = MLP(inputSize: 3, hidden: [4, 2], style: LayerStyle(activation: .tanh, batchNorm: true), activateLast: false, generator: &g)
        let x = values([5, 3], seed: 2)
        check("mlp", mlp, inputs: [x]) { mlp(x) }
    }

    func testLayerNormAndConditionalLayerNorm() {
        let ln = LayerNorm(size: 5)
        let x = values([2, 3, 5], seed: 3)
        check("layer norm", ln, inputs: [x]) { ln(x) }
        let gamma = values([2, 1, 5], seed: 4), beta = values([2, 1, 5], seed: 5)
        check("conditional layer norm", ln, inputs: [x, gamma, beta]) { ConditionalLayerNorm()(x, gamma: gamma, beta: beta) }
    }

    func testMultiHeadAttentionWithPadding() {
        var g = RandomGenerator(seed: 6)
        let attention = MultiHeadAttention(dimension: 4, heads: 2, generator: &g)
        let x = values([2, 4, 4], seed: 7)
        check("attention", attention, inputs: [x]) { attention(x, keyMask: mask) }
    }

    func testSequencePooling() {
        let sequence = values([2, 4, 3], seed: 8), target = values([2, 3], seed: 9)
        for pooling in [SequencePooling.targetAttention, .mean] {
            check("\(pooling)", Module(), inputs: [sequence, target]) { pooling(sequence, mask: mask, target: target) }
        }
    }

    func testFieldGate() {
        var g = RandomGenerator(seed: 10)
        for kind in [FieldGate.Kind.sigmoid, .doubleSigmoid] {
            let gate = FieldGate(fields: 4, reduction: 2, kind: kind, generator: &g)
            let fields = values([3, 4, 2], seed: 11)
            check("gate \(kind)", gate, inputs: [fields]) { gate(fields) }
        }
    }

    func testExpertGroupAndGate() {
        var g = RandomGenerator(seed: 12)
        let experts = ExpertGroup(count: 3, inputSize: 4, hidden: [5, 2], style: LayerStyle(activation: .tanh, batchNorm: true), generator: &g)
        let gate = SoftmaxGate(inputSize: 4, experts: 3, generator: &g)
        let x = values([6, 4], seed: 13)
        check("experts", experts, inputs: [x]) { ExpertGroup.mix(experts(x), gates: gate(x)) }
        check("gate", gate, inputs: []) { ExpertGroup.mix(experts(x), gates: gate(x)) }
    }

    func testExpertGroupAndMLPWithReLUNorms() {
        // With ReLU after each norm, the norms' outputs are dropped once read and made again
        // in the backward.
        var g = RandomGenerator(seed: 14)
        let style = LayerStyle(activation: .relu, batchNorm: true)
        let experts = ExpertGroup(count: 3, inputSize: 4, hidden: [5, 3, 2], style: style, generator: &g)
        let mlp = MLP(inputSize: 4, hidden: [6, 5, 2], style: style, activateLast: false, generator: &g)
        let gate = SoftmaxGate(inputSize: 4, experts: 3, generator: &g)
        let x = values([8, 4], seed: 15)
        check("experts", experts, inputs: [x]) { ExpertGroup.mix(experts(x), gates: gate(x)) }
        check("mlp", mlp, inputs: [x]) { mlp(x) }
    }

    func testBatchNormalisedGate() {
        var g = RandomGenerator(seed: 14)
        let gate = SoftmaxGate(inputSize: 4, experts: 3, style: LayerStyle(batchNorm: true), generator: &g)
        XCTAssertNotNil(gate.norm)
        XCTAssertNil(SoftmaxGate(inputSize: 4, experts: 3, generator: &g).norm)
        let x = values([6, 4], seed: 15)
        check("batch-normalised gate", gate, inputs: [x]) { gate(x) }
        let rows = gate(x).values
        for r in 0..<6 { XCTAssertEqual(rows[(r * 3)..<(r * 3 + 3)].reduce(0, +), 1, accuracy: 1e-5) }
    }

    func testEmbeddingHasRowSparseGradients() {
        var g = RandomGenerator(seed: 14)
        let embedding = Embedding(count: 6, dimension: 3, initializer: .normal(standardDeviation: 1), generator: &g)
        check("embedding", embedding, inputs: []) { embedding([1, 4, 4, 0], shape: [2, 2]) }
        embedding.zeroGrad()
        (embedding([5, 5], shape: [2]) * 1).sum().backward()
        XCTAssertEqual(embedding.table.rowGrad?.rows, [5])
    }

    func testExpertGroupEqualsSeparateExperts() {
        var g = RandomGenerator(seed: 15)
        let experts = ExpertGroup(count: 2, inputSize: 3, hidden: [4, 2], generator: &g)
        let x = values([5, 3], seed: 16)
        let together = Autograd.inference { experts(x) }.values
        for k in 0..<2 {
            // Expert k alone: its slice of the first layer, then its stacked deeper layer.
            let w1 = Tensor(shape: [3, 4], values: (0..<3).flatMap { i in (0..<4).map { experts.first.weight[flat: i * 8 + k * 4 + $0] } })
            let b1 = Tensor(shape: [4], values: (0..<4).map { experts.first.bias![flat: k * 4 + $0] })
            let w2 = experts.deeper[0].weight.rows(k..<(k + 1)).reshaped([4, 2])
            let b2 = experts.deeper[0].bias.rows(k..<(k + 1)).reshaped([2])
            let alone = Autograd.inference { ((x.matmul(w1) + b1).relu().matmul(w2) + b2).relu() }.values
            for n in 0..<5 {
                for j in 0..<2 { XCTAssertEqual(together[(n * 2 + k) * 2 + j], alone[n * 2 + j], accuracy: 1e-5) }
            }
        }
    }
}
