@testable import Tensor
import XCTest

/// A linear map over a field gather, computed from per-value projections, against finite
/// differences and against the product of the gathered matrix.
final class FieldProjectionTests: XCTestCase {
    /// Three categorical fields over two tables of width 4 (the first serves two fields), two
    /// numeric fields, `rows` samples, `outputs` features out (16 and 24: whole and partial
    /// vectors; 70: a block of 64 columns and a partial vector).
    private struct Fixture {
        let first = randomTensor([5, 4], seed: 60), second = randomTensor([3, 4], seed: 61)
        let vectors = randomTensor([2, 4], seed: 62)
        let weight: Tensor, bias: Tensor
        let rows: Int
        let ids: [Int32]
        let values: Tensor

        init(rows: Int, outputs: Int = 6) {
            self.rows = rows
            weight = randomTensor([20, outputs], seed: 63)
            bias = randomTensor([outputs], seed: 64)
            // Every value of each table, in a scrambled order with repeats.
            ids = (0..<rows * 3).map { (i: Int) -> Int32 in
                let vocabulary = i % 3 == 1 ? 3 : 5
                return Int32((i * 7 + i / 3) % vocabulary)
            }
            values = randomTensor([rows, 2], seed: 65)
        }

        var parameters: [Tensor] { [first, second, values, vectors, weight, bias] }

        func gathered() -> Tensor {
            Tensor.gatherFields([first, second, first], ids: ids, rows: rows, numeric: (values, vectors))
                .reshaped([rows, -1])
        }

        /// The map through projections.
        func projected() -> Tensor { gathered().linear(weight, bias: bias) }

        /// The map as a product of the gathered matrix (a scaled copy carries no gather).
        func direct() -> Tensor { (gathered() * 1).linear(weight, bias: bias) }
    }

    func testProjectionIsUsedForALargeBatchOnly() {
        let large = Fixture(rows: 16)
        for t in large.parameters { t.requiresGrad = true }
        XCTAssertEqual(large.projected().gradFunction?.name, "projectedFields")
        XCTAssertEqual(large.direct().gradFunction?.name, "linear")
        let small = Fixture(rows: 2)
        for t in small.parameters { t.requiresGrad = true }
        XCTAssertEqual(small.projected().gradFunction?.name, "linear")
    }

    func testGradientsMatchFiniteDifferences() {
        for outputs in [6, 16, 24, 70] {
            let fixture = Fixture(rows: 16, outputs: outputs)
            assertGradientsMatch(fixture.parameters, fixture.projected)
            fixture.first.prefersRowSparseGradient = true
            fixture.second.prefersRowSparseGradient = true
            assertGradientsMatch(fixture.parameters, fixture.projected)
        }
    }

    func testEqualsTheProductOfTheGatheredMatrix() {
        // 300 columns: several tiles of the gradient's scatter.
        for outputs in [6, 16, 24, 70, 300] { assertProjectionEqualsProduct(outputs: outputs) }
    }

    private func assertProjectionEqualsProduct(outputs: Int) {
        let fixture = Fixture(rows: 64, outputs: outputs)
        fixture.first.prefersRowSparseGradient = true
        let readout = randomTensor([64, outputs], seed: 66)
        func gradients(_ f: () -> Tensor) -> (output: [Float], grads: [[Float]]) {
            for t in fixture.parameters { t.zeroGrad(); t.requiresGrad = true }
            let y = f()
            (y * readout).sum().backward()
            let first = fixture.first.rowGrad!.densified(rowCount: 5)
            return (y.values, [first] + fixture.parameters.dropFirst().map { $0.grad!.values })
        }
        let (projected, direct) = (gradients(fixture.projected), gradients(fixture.direct))
        assertClose(projected.output, direct.output)
        for (p, d) in zip(projected.grads, direct.grads) { assertClose(p, d) }
    }

    func testConsecutiveFieldsOfSmallVocabulariesAreTakenTogether() {
        XCTAssertEqual(JointValues.groups(vocabularies: [11, 54, 49, 19, 5]), [0..<2, 2..<4, 4..<5])
        XCTAssertEqual(JointValues.groups(vocabularies: [5000, 2, 3]), [0..<1, 1..<3])
        XCTAssertEqual(JointValues.groups(vocabularies: [2, 3], limit: 5), [0..<1, 1..<2])
        XCTAssertEqual(JointValues.groups(vocabularies: []), [])
    }

    func testJointAndSingleFieldsEqualTheProductOfTheGatheredMatrix() {
        // Fields of 3, 2000, 4 and 2 values: groups [0], [1] and [2, 3]. 1,024 rows, so that the
        // projections beat the product; 300 columns cross the gradient's tiles.
        let vocabularies = [3, 2000, 4, 2]
        let tables = vocabularies.enumerated().map { randomTensor([$1, 8], seed: UInt64(100 + $0)) }
        let weight = randomTensor([32, 300], seed: 104), bias = randomTensor([300], seed: 105)
        let rows = 1024
        let ids: [Int32] = (0..<rows * 4).map { (i: Int) -> Int32 in
            let vocabulary = vocabularies[i % 4]
            return Int32((i * 7 + i / 4) % vocabulary)
        }
        let gather = Tensor.gatherFields(tables, ids: ids, rows: rows).fieldGather!
        XCTAssertTrue(gather.prefersProjection)
        XCTAssertEqual(gather.joint.groups, [0..<1, 1..<2, 2..<4])
        let pairs = Set((0..<rows).map { (i: Int) -> [Int32] in [ids[i * 4 + 2], ids[i * 4 + 3]] })
        XCTAssertEqual(gather.joint.count, pairs.count)
        let readout = randomTensor([rows, 300], seed: 106)
        func gradients(_ map: (Tensor) -> Tensor) -> (output: [Float], grads: [[Float]]) {
            for t in tables + [weight, bias] { t.zeroGrad(); t.requiresGrad = true }
            let y = map(Tensor.gatherFields(tables, ids: ids, rows: rows).reshaped([rows, -1]))
            (y * readout).sum().backward()
            return (y.values, (tables + [weight, bias]).map { $0.grad!.values })
        }
        let projected = gradients { $0.linear(weight, bias: bias) }
        let direct = gradients { ($0 * 1).linear(weight, bias: bias) }
        XCTAssertEqual(projected.output.count, rows * 300)
        assertClose(projected.output, direct.output, tolerance: 1e-4)
        for (p, d) in zip(projected.grads, direct.grads) { assertClose(p, d, tolerance: 1e-3) }
    }

    func testNumericFieldsAlone() {
        // A third of the values are zero: in rows of 256 columns or more their rows are
        // skipped, their gradients are not. 5 outputs: narrow rows, against finite
        // differences; 300: wide ones, against the product's gradients.
        let values = Tensor(shape: [32, 3], values: randomTensor([32, 3], seed: 67).values.enumerated().map {
            $0.offset % 3 == 1 ? 0 : $0.element
        })
        let vectors = randomTensor([3, 8], seed: 68)
        func gathered() -> Tensor { Tensor.gatherFields([], ids: [], rows: 32, numeric: (values, vectors)).reshaped([32, -1]) }
        for outputs in [5, 300] {
            let weight = randomTensor([24, outputs], seed: 69), bias = randomTensor([outputs], seed: 70)
            let parameters = [values, vectors, weight, bias]
            for t in parameters { t.requiresGrad = true }
            XCTAssertEqual(gathered().linear(weight, bias: bias).gradFunction?.name, "projectedFields")
            guard outputs > 5 else {
                assertClose(gathered().linear(weight, bias: bias).values, (gathered() * 1).linear(weight, bias: bias).values)
                assertGradientsMatch(parameters) { gathered().linear(weight, bias: bias) }
                continue
            }
            let readout = randomTensor([32, outputs], seed: 71)
            func gradients(_ map: (Tensor) -> Tensor) -> (output: [Float], grads: [[Float]]) {
                for t in parameters { t.zeroGrad() }
                let y = map(gathered())
                (y * readout).sum().backward()
                return (y.values, parameters.map { $0.grad!.values })
            }
            let projected = gradients { $0.linear(weight, bias: bias) }
            let direct = gradients { ($0 * 1).linear(weight, bias: bias) }
            assertClose(projected.output, direct.output)
            for (p, d) in zip(projected.grads, direct.grads) { assertClose(p, d, tolerance: 1e-4) }
        }
    }

    /// The gather's five fields and two further vectors per sample, each scaled by a weight
    /// per sample, as DTRN's refinement gates weight a task's fields and interests.
    private struct WeightedFixture {
        let base: Fixture
        let extra: Tensor, weights: Tensor, weight: Tensor, bias: Tensor

        init(rows: Int, outputs: Int) {
            base = Fixture(rows: rows)
            extra = randomTensor([rows, 2, 4], seed: 71)
            weights = randomTensor([rows, 7], seed: 72, in: 0...2)
            weight = randomTensor([28, outputs], seed: 73)
            bias = randomTensor([outputs], seed: 74)
        }

        var parameters: [Tensor] { [base.first, base.second, base.values, base.vectors, extra, weights, weight, bias] }

        private func fields() -> Tensor {
            Tensor.gatherFields([base.first, base.second, base.first], ids: base.ids, rows: base.rows,
                                numeric: (base.values, base.vectors))
        }

        /// Through the projections, the weights folded in.
        func projected() -> Tensor {
            let fields = fields()
            return Tensor.concat([fields, extra], axis: 1).weighted(by: weights, leadingFields: fields).linear(weight, bias: bias)
        }

        /// The product of the weighted matrix.
        func direct() -> Tensor {
            let all = Tensor.concat([fields(), extra], axis: 1)
            return (all * weights.reshaped([base.rows, 7, 1])).reshaped([base.rows, -1]).linear(weight, bias: bias)
        }
    }

    func testWeightedFieldsGoThroughTheProjections() {
        let fixture = WeightedFixture(rows: 16, outputs: 6)
        for t in fixture.parameters { t.requiresGrad = true }
        // The fields' part through the projections, the further vectors' by a product, added.
        XCTAssertEqual(fixture.projected().gradFunction?.name, "add")
        XCTAssertEqual(fixture.direct().gradFunction?.name, "linear")
        assertGradientsMatch(fixture.parameters, fixture.projected)
    }

    func testWeightedFieldsEqualTheProductOfTheWeightedMatrix() {
        for outputs in [6, 70] {
            let fixture = WeightedFixture(rows: 64, outputs: outputs)
            let readout = randomTensor([64, outputs], seed: 75)
            func gradients(_ f: () -> Tensor) -> (output: [Float], grads: [[Float]]) {
                for t in fixture.parameters { t.zeroGrad(); t.requiresGrad = true }
                let y = f()
                (y * readout).sum().backward()
                return (y.values, fixture.parameters.map { $0.grad!.values })
            }
            let (projected, direct) = (gradients(fixture.projected), gradients(fixture.direct))
            assertClose(projected.output, direct.output)
            for (p, d) in zip(projected.grads, direct.grads) { assertClose(p, d, tolerance: 1e-4) }
        }
    }

    func testScoringGivesARowTheSameBitsAloneAsInAnyBatch() {
        // Ten fields of 20 values, 256 rows: training would take the product for one row and
        // the projections for the batch; scoring takes the projections for both. 70 outputs:
        // one row per field; 300: one per pair of fields (see `JointValues`).
        let tables = (0..<10).map { randomTensor([20, 16], seed: UInt64(80 + $0)) }
        let rows = 256
        let ids: [Int32] = (0..<rows * 10).map { (i: Int) -> Int32 in Int32((i * 7 + i / 10) % 20) }
        for outputs in [70, 300] {
            let weight = randomTensor([160, outputs], seed: 90), bias = randomTensor([outputs], seed: 91)
            func scores(_ range: Range<Int>) -> [UInt32] {
                Autograd.inference {
                    let ids = Array(ids[(range.lowerBound * 10)..<(range.upperBound * 10)])
                    return Tensor.gatherFields(tables, ids: ids, rows: range.count).reshaped([range.count, -1])
                        .linear(weight, bias: bias).values.map(\.bitPattern)
                }
            }
            let together = scores(0..<rows)
            let alone: [UInt32] = (0..<8).flatMap { (r: Int) -> [UInt32] in scores(r..<r + 1) }
            let pairs: [UInt32] = scores(8..<10) + scores(10..<12)
            XCTAssertEqual(alone, Array(together[..<(8 * outputs)]))
            XCTAssertEqual(pairs, Array(together[(8 * outputs)..<(12 * outputs)]))
        }
    }
}
