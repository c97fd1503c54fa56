import NN
import Tensor
import XCTest

/// The analytic gradient of a composite model — embeddings (one row-sparse), linear layers, ReLU,
/// batched products, masked softmax and the cross-entropy — against central finite differences,
/// element by element for every parameter.
final class GradientCheckTests: XCTestCase {
    func testAttentionPoolingModelGradientsMatchFiniteDifferences() {
        let model = AttentionPoolingModel(seed: 3)
        let batch = model.batch(seed: 11)
        let parameters = model.parameters()
        XCTAssertEqual(parameters.map(\.name), [
            "items", "users", "key.weight", "key.bias", "query.weight", "query.bias",
            "hidden.weight", "hidden.bias", "output.weight", "output.bias",
        ])
        model.loss(batch).backward()
        XCTAssertNotNil(model.items.rowGrad, "the item table's gradient is row-sparse")
        XCTAssertNil(model.items.grad)
        model.zeroGrad()

        // The loss is scaled so that gradients are of order 1 and the relative error is meaningful.
        let report = GradientCheck.run(inputs: parameters.map(\.tensor), epsilon: 1e-2) { model.loss(batch) * 100 }
        XCTAssertEqual(report.checked, model.parameterCount)
        XCTAssertLessThan(report.maxError, 1e-2, "\(report)")
    }
}
