@testable import Models
import Tensor
import XCTest

/// The named-tensor signature lists every field once with its shape, and rebuilds the batch it
/// was read from.
final class ModelSignatureTests: XCTestCase {
    let signature = ModelSignature(layout: tinyLayout)

    func testTheSignatureNamesEveryFieldAndTask() {
        XCTAssertEqual(signature.inputs.map(\.name), ["user", "item", "price", "clicks", "buys"])
        XCTAssertEqual(signature.inputs.map(\.dataType), [.int64, .int64, .float32, .int64, .int64])
        XCTAssertEqual(signature.inputs.map(\.shape), [[-1], [-1], [-1], [-1, 4], [-1, 3]])
        XCTAssertEqual(signature.outputs.map(\.name), ["click", "like", "buy"])
        XCTAssertTrue(signature.outputs.allSatisfy { $0.dataType == .float32 && $0.shape == [-1] })
    }

    /// Splits a batch into the signature's columns, the way a client would send it.
    func tensors(of batch: ModelBatch) -> [String: ModelSignature.Values] {
        let ids = batch.categorical.map(Int64.init)
        return ["user": .int64(stride(from: 0, to: ids.count, by: 2).map { ids[$0] }),
                "item": .int64(stride(from: 1, to: ids.count, by: 2).map { ids[$0] }),
                "price": .float32(batch.numeric.values),
                "clicks": .int64(batch.sequences[0].map(Int64.init)),
                "buys": .int64(batch.sequences[1].map(Int64.init))]
    }

    func testNamedTensorsRebuildTheBatch() throws {
        let batch = tinyBatch(size: 5)
        let rebuilt = try signature.batch(from: tensors(of: batch), batchSize: 5, layout: tinyLayout)
        XCTAssertEqual(rebuilt.categorical, batch.categorical)
        XCTAssertEqual(rebuilt.numeric.values, batch.numeric.values)
        XCTAssertEqual(rebuilt.sequences, batch.sequences)
        XCTAssertEqual(rebuilt.sequenceMasks.map(\.values), batch.sequenceMasks.map(\.values))
    }

    func testMismatchedTensorsAreNamedInTheError() {
        let good = tensors(of: tinyBatch(size: 5))
        func message(_ change: (inout [String: ModelSignature.Values]) -> Void) -> String {
            var tensors = good
            change(&tensors)
            do {
                _ = try signature.batch(from: tensors, batchSize: 5, layout: tinyLayout)
                return "no error"
            } catch { return error.description }
        }
        XCTAssertEqual(message { $0["user"] = nil }, "missing input 'user'")
        XCTAssertEqual(message { $0["colour"] = .int64([1]) },
                       "unknown input 'colour'; the inputs are user, item, price, clicks, buys")
        XCTAssertEqual(message { $0["clicks"] = .int64([1, 2]) }, "input 'clicks' has 2 values; shape [5, 4] needs 20")
        XCTAssertEqual(message { $0["price"] = .int64([1, 2, 3, 4, 5]) }, "input 'price' must be FP32")
        XCTAssertEqual(message { $0["item"] = .int64([1, 2, 7, 4, 5]) },
                       "input 'item' value 2 is id 7, outside the vocabulary 0..<7")
        XCTAssertEqual(message { $0["price"] = .float32([1, .nan, 3, 4, 5]) }, "input 'price' value 1 is nan, not a finite number")
    }
}
