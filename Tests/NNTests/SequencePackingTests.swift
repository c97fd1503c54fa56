import NN
import Tensor
import XCTest

/// The packing of a padded batch of sequences and the attention layer over packed positions.
final class SequencePackingTests: XCTestCase {
    /// Three sequences of four slots: left-padded, a gap in the middle, none real.
    private let mask = Tensor(shape: [3, 4], values: [0, 1, 1, 1, 1, 0, 1, 0, 0, 0, 0, 0])

    func testRowsAndOffsetsFollowTheMask() {
        let packing = SequencePacking(mask: mask)
        XCTAssertEqual(packing.rows, [1, 2, 3, 4, 6])
        XCTAssertEqual(packing.offsets, [0, 3, 5, 5])
        XCTAssertEqual(packing.count, 5)
        let x = Tensor(shape: [3, 4, 2], values: (0..<24).map(Float.init))
        let packed = packing.pack(x)
        XCTAssertEqual(packed.values, [2, 3, 4, 5, 6, 7, 8, 9, 12, 13])
        // Unpacked: the real positions back in place, zeros at the padding.
        let unpacked = packing.unpack(packed)
        XCTAssertEqual(unpacked.shape, [3, 4, 2])
        XCTAssertEqual(unpacked.values, (x * mask.reshaped([3, 4, 1])).values)
    }

    func testAttentionOverPackedPositionsEqualsTheMaskedComposition() {
        var g = RandomGenerator(seed: 1)
        let attention = MultiHeadAttention(dimension: 4, heads: 2, generator: &g)
        var rng = RandomGenerator(seed: 2)
        let x = Tensor(shape: [3, 4, 4], values: (0..<48).map { _ in rng.nextUniform() * 2 - 1 })
        // Padded: every head's scores over all four slots, the padding masked out of the softmax.
        let qkv = attention.projection(x).reshaped([3, 4, 3, 2, 2]).permuted([2, 0, 3, 1, 4]).split([1, 1, 1], axis: 0)
            .map { $0.reshaped([3, 2, 4, 2]) }
        let scores = qkv[0].batchedMatmul(qkv[1], transposeOther: true) * (1 / Float(2).squareRoot())
        let context = scores.softmax(mask: mask).batchedMatmul(qkv[2]).permuted([0, 2, 1, 3]).reshaped([3, 4, 4])
        let expected = (attention.output(context) * mask.reshaped([3, 4, 1])).values
        let actual = attention(x, keyMask: mask)
        XCTAssertEqual(actual.shape, [3, 4, 4])
        for (i, (a, e)) in zip(actual.values, expected).enumerated() {
            XCTAssertEqual(a, e, accuracy: 1e-5, "element \(i)")
        }
    }
}

/// Pooling packed sequences against the padded pooling of the same positions.
final class PackedPoolingTests: XCTestCase {
    private let mask = Tensor(shape: [3, 4], values: [0, 1, 1, 1, 1, 0, 1, 0, 0, 0, 0, 0])

    private func values(_ shape: [Int], seed: UInt64) -> Tensor {
        var rng = RandomGenerator(seed: seed)
        return Tensor(shape: shape, values: (0..<shape.reduce(1, *)).map { _ in rng.nextUniform() * 2 - 1 })
    }

    func testValuesEqualThePaddedPooling() {
        let packing = SequencePacking(mask: mask)
        // Two blocks of the five real positions, as DTRN pools every task's encoding.
        let packed = values([2 * packing.count, 3], seed: 1), target = values([3, 3], seed: 2)
        let padded = Tensor.concat(packed.split([packing.count, packing.count], axis: 0).map(packing.unpack), axis: 0)
        let masks = Tensor.concat([mask, mask], axis: 0), targets = Tensor.concat([target, target], axis: 0)
        for pooling in [SequencePooling.targetAttention, .mean] {
            let expected = pooling(padded, mask: masks, target: targets).values
            let actual = pooling(packed: packed, packing, target: target)
            XCTAssertEqual(actual.shape, [6, 3])
            for (i, (a, e)) in zip(actual.values, expected).enumerated() {
                XCTAssertEqual(a, e, accuracy: 1e-6, "\(pooling), element \(i)")
            }
        }
    }

    func testGradientsMatchFiniteDifferences() {
        let packing = SequencePacking(mask: mask)
        let packed = values([2 * packing.count, 3], seed: 3), target = values([3, 3], seed: 4)
        let probe = values([6, 3], seed: 5)
        for pooling in [SequencePooling.targetAttention, .mean] {
            let report = GradientCheck.run(inputs: [packed, target], epsilon: 3e-3) {
                (pooling(packed: packed, packing, target: target) * probe).sum()
            }
            XCTAssertLessThan(report.maxError, 1e-2, "\(pooling): \(report)")
        }
    }
}
