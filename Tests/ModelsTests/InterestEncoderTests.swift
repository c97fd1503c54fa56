import Models
import NN
import Tensor
import XCTest

/// The interest encoder on packed positions against the same block run on the padded batch.
final class InterestEncoderTests: XCTestCase {
    func testPackedPositionsGiveThePaddedBatchsValues() {
        var g = RandomGenerator(seed: 1)
        let (tasks, n, l, d) = (3, 4, 5, 4)
        let encoder = InterestEncoder(dimension: d, heads: 2, feedForwardHidden: 6, activation: .relu, generator: &g)
        func random(_ shape: [Int], seed: UInt64) -> Tensor {
            var rng = RandomGenerator(seed: seed)
            return Tensor(shape: shape, values: (0..<shape.reduce(1, *)).map { _ in rng.nextUniform() * 2 - 1 })
        }
        let h = random([n, l, d], seed: 2)
        // Lengths 5, 2, 0 and 1, right-aligned.
        let mask = Tensor(shape: [n, l], values: [1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])
        let (gammas, betas) = ((0..<2).map { random([tasks, 1, d], seed: 3 + UInt64($0)) + 1 },
                               (0..<2).map { random([tasks, 1, d], seed: 5 + UInt64($0)) })
        let packing = SequencePacking(mask: mask)
        let packed = encoder.finish(encoder.attend(packed: packing.pack(h), packing),
                                    norms: .init(gamma1: gammas[0], beta1: betas[0], gamma2: gammas[1], beta2: betas[1]))
        XCTAssertEqual(packed.shape, [tasks, packing.count, d])
        let unpacked = packed.split(Array(repeating: 1, count: tasks), axis: 0)
            .flatMap { packing.unpack($0.reshaped([packing.count, d])).values }

        // Padded: every slot goes through the block, the norms broadcast over [T, N, L, d].
        let padded = encoder.finish(.init(positions: h, attention: encoder.attention(h, keyMask: mask)),
                                    norms: .init(gamma1: gammas[0].reshaped([tasks, 1, 1, d]), beta1: betas[0].reshaped([tasks, 1, 1, d]),
                                                 gamma2: gammas[1].reshaped([tasks, 1, 1, d]), beta2: betas[1].reshaped([tasks, 1, 1, d])))
        XCTAssertEqual(padded.shape, [tasks, n, l, d])
        let keep = mask.values
        for (i, (p, u)) in zip(padded.values, unpacked).enumerated() {
            let slot = (i / d) % (n * l)
            XCTAssertEqual(u, keep[slot] != 0 ? p : 0, accuracy: 1e-5, "element \(i)")
        }
    }
}
