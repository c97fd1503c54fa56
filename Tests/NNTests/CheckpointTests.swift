import Foundation
import NN
import Tensor
import XCTest

/// Saving parameters and optimizer state, and resuming training from them.
final class CheckpointTests: XCTestCase {
    private var directory: URL!
    private var parameterURL: URL { directory.appendingPathComponent("model.tensors") }
    private var stateURL: URL { directory.appendingPathComponent("optimizer.tensors") }

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("CheckpointTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try FileManager.default.removeItem(at: directory)
    }

    private let optimizers: [(String, ([(name: String, tensor: Tensor)]) -> Optimizer)] = [
        ("SGD", { SGD(parameters: $0, learningRate: 0.05, momentum: 0.9, weightDecay: 1e-3) }),
        ("Adam", { Adam(parameters: $0, learningRate: 0.01, weightDecay: 1e-3) }),
        ("AdamW", { AdamW(parameters: $0, learningRate: 0.01) }),
        ("Adagrad", { Adagrad(parameters: $0, learningRate: 0.05, initialAccumulatorValue: 0.1) }),
    ]

    /// Trains on the batches seeded by `seeds`, clipping the gradient norm to 1.
    private func train(_ model: AttentionPoolingModel, _ optimizer: Optimizer, seeds: Range<UInt64>) {
        for seed in seeds {
            model.loss(model.batch(seed: seed)).backward()
            optimizer.step(gradientScale: GradientNorm(of: optimizer.parameters).clippingScale(maxNorm: 1))
        }
    }

    func testResumingFromACheckpointEqualsUninterruptedTraining() throws {
        for (name, makeOptimizer) in optimizers {
            let model = AttentionPoolingModel(seed: 1)
            let optimizer = makeOptimizer(model.parameters())
            train(model, optimizer, seeds: 0..<3)
            try model.saveParameters(to: parameterURL)
            try optimizer.saveState(to: stateURL)
            train(model, optimizer, seeds: 3..<5)

            let resumed = AttentionPoolingModel(seed: 2)
            let resumedOptimizer = makeOptimizer(resumed.parameters())
            try resumed.loadParameters(from: parameterURL)
            try resumedOptimizer.loadState(from: stateURL)
            XCTAssertEqual(resumedOptimizer.stepCount, 3, name)
            train(resumed, resumedOptimizer, seeds: 3..<5)

            for ((parameter, original), (_, copy)) in zip(model.parameters(), resumed.parameters()) {
                XCTAssertBitIdentical(copy.values, original.values, "\(name) \(parameter)")
                for slot in optimizer.state.slotNames {
                    XCTAssertBitIdentical(resumedOptimizer.state.slot(slot, of: parameter)!.values,
                                          optimizer.state.slot(slot, of: parameter)!.values, "\(name) \(parameter) \(slot)")
                }
            }
        }
    }

    func testSavedParametersRoundTripBitForBit() throws {
        let model = AttentionPoolingModel(seed: 1)
        try model.saveParameters(to: parameterURL)
        let copy = AttentionPoolingModel(seed: 9)
        try copy.loadParameters(from: parameterURL)
        for ((name, original), (_, loaded)) in zip(model.parameters(), copy.parameters()) {
            XCTAssertBitIdentical(loaded.values, original.values, name)
        }
    }

    func testLoadingIntoAModelOfAnotherShapeFailsWithTheParameterAndBothShapes() throws {
        try AttentionPoolingModel(hiddenSize: 5, seed: 1).saveParameters(to: parameterURL)
        let other = AttentionPoolingModel(hiddenSize: 6, seed: 1)
        let before = other.hidden.weight.values
        XCTAssertThrowsError(try other.loadParameters(from: parameterURL)) { error in
            XCTAssertEqual((error as? TensorFileError)?.reason,
                           .shapeMismatch(name: "hidden.weight", expected: [4, 6], found: [4, 5]))
            XCTAssertTrue("\(error)".contains(self.parameterURL.path))
        }
        XCTAssertEqual(other.hidden.weight.values, before)
    }

    func testLoadingIntoAModelWithOtherParametersNamesThem() throws {
        var generator = RandomGenerator(seed: 1)
        try Linear(inputSize: 2, outputSize: 2, generator: &generator).saveParameters(to: parameterURL)
        let withoutBias = Linear(inputSize: 2, outputSize: 2, bias: false, generator: &generator)
        XCTAssertThrowsError(try withoutBias.loadParameters(from: parameterURL)) { error in
            XCTAssertEqual((error as? TensorFileError)?.reason, .unexpectedTensors(["bias"]))
        }
    }

    func testStateOfAnotherOptimizerIsRefused() throws {
        let model = AttentionPoolingModel(seed: 1)
        try Adam(parameters: model.parameters()).saveState(to: stateURL)
        XCTAssertThrowsError(try AdamW(parameters: model.parameters()).loadState(from: stateURL)) { error in
            XCTAssertEqual((error as? TensorFileError)?.reason,
                           .metadataMismatch(key: "optimizer", expected: "AdamW", found: "Adam"))
        }
    }

    func testStateForOtherParametersIsRefused() throws {
        let model = AttentionPoolingModel(seed: 1)
        try Adam(parameters: model.parameters()).saveState(to: stateURL)
        let optimizer = Adam(parameters: Array(model.parameters().dropFirst()))
        XCTAssertThrowsError(try optimizer.loadState(from: stateURL)) { error in
            XCTAssertEqual((error as? TensorFileError)?.reason,
                           .unexpectedTensors(["items/firstMoment", "items/secondMoment"]))
        }
        XCTAssertEqual(optimizer.stepCount, 0)
    }

    func testFilesAreNotInterchangeable() throws {
        let model = AttentionPoolingModel(seed: 1)
        try model.saveParameters(to: parameterURL)
        try SGD(parameters: model.parameters(), learningRate: 0.1).saveState(to: stateURL)
        XCTAssertThrowsError(try model.loadParameters(from: stateURL)) { error in
            XCTAssertEqual((error as? TensorFileError)?.reason,
                           .metadataMismatch(key: "content", expected: "parameters", found: "optimizerState"))
        }
        XCTAssertThrowsError(try SGD(parameters: model.parameters(), learningRate: 0.1).loadState(from: parameterURL)) { error in
            XCTAssertEqual((error as? TensorFileError)?.reason,
                           .metadataMismatch(key: "content", expected: "optimizerState", found: "parameters"))
        }
    }
}
