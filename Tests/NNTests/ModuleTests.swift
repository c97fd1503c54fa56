import NN
import Tensor
import XCTest

/// A module exercising every kind of property `Module` looks through.
private final class Tower: Module {
    let embedding = Tensor.zeros([4, 2], requiresGrad: true)
    let layers: [Linear]
    let head: Linear?
    let missingHead: Linear? = nil
    let taskHeads: [String: Linear]
    let scale = Tensor(scalar: 1, requiresGrad: true)
    let constant = Tensor(scalar: 3)
    let sizes = [1, 2, 3]

    init(generator: inout RandomGenerator) {
        layers = [Linear(inputSize: 2, outputSize: 3, generator: &generator),
                  Linear(inputSize: 3, outputSize: 3, bias: false, generator: &generator)]
        head = Linear(inputSize: 3, outputSize: 1, generator: &generator)
        taskHeads = ["like": Linear(inputSize: 3, outputSize: 1, generator: &generator),
                     "click": Linear(inputSize: 3, outputSize: 1, generator: &generator)]
    }
}

/// A subclass adds its properties after those of its superclass.
private final class TallerTower: Module {
    let base: Tower
    let extra: [[Tensor]]

    init(generator: inout RandomGenerator) {
        base = Tower(generator: &generator)
        extra = [[Tensor.zeros([2], requiresGrad: true)]]
    }
}

/// A module that holds the same layer twice.
private final class Tied: Module {
    let encoder: Linear
    let decoder: Linear
    let ownWeight: Tensor

    init(generator: inout RandomGenerator) {
        encoder = Linear(inputSize: 2, outputSize: 2, generator: &generator)
        decoder = encoder
        ownWeight = encoder.weight
    }
}

final class ModuleTests: XCTestCase {
    func testParametersAreNamedByPropertyPathInDeclarationOrder() {
        var generator = RandomGenerator(seed: 1)
        let tower = Tower(generator: &generator)
        XCTAssertEqual(tower.parameters().map(\.name), [
            "embedding",
            "layers.0.weight", "layers.0.bias",
            "layers.1.weight",
            "head.weight", "head.bias",
            "taskHeads.click.weight", "taskHeads.click.bias",
            "taskHeads.like.weight", "taskHeads.like.bias",
            "scale",
        ])
        XCTAssertTrue(tower.parameters()[1].tensor === tower.layers[0].weight)
        XCTAssertEqual(tower.parameterCount, 8 + (6 + 3) + 9 + (3 + 1) + 2 * (3 + 1) + 1)
    }

    func testNestedModulesAndNestedArraysJoinNames() {
        var generator = RandomGenerator(seed: 1)
        let names = TallerTower(generator: &generator).parameters().map(\.name)
        XCTAssertEqual(names.first, "base.embedding")
        XCTAssertTrue(names.contains("base.taskHeads.like.bias"))
        XCTAssertEqual(names.last, "extra.0.0")
    }

    func testSharedTensorsAndModulesAreListedOnce() {
        var generator = RandomGenerator(seed: 1)
        let tied = Tied(generator: &generator)
        XCTAssertEqual(tied.parameters().map(\.name), ["encoder.weight", "encoder.bias"])
        XCTAssertEqual(tied.modules().map(\.name), ["", "encoder"])
    }

    func testModulesListsTheTreeDepthFirst() {
        var generator = RandomGenerator(seed: 1)
        let tower = TallerTower(generator: &generator)
        XCTAssertEqual(tower.modules().map(\.name), [
            "", "base", "base.layers.0", "base.layers.1", "base.head", "base.taskHeads.click", "base.taskHeads.like",
        ])
    }

    func testTrainAndEvalReachEveryModule() {
        var generator = RandomGenerator(seed: 1)
        let tower = TallerTower(generator: &generator)
        XCTAssertTrue(tower.modules().allSatisfy { $0.module.isTraining })
        tower.eval()
        XCTAssertTrue(tower.modules().allSatisfy { !$0.module.isTraining })
        tower.base.train()
        XCTAssertFalse(tower.isTraining)
        XCTAssertTrue(tower.base.head!.isTraining)
    }

    func testZeroGradClearsEveryParameter() {
        var generator = RandomGenerator(seed: 1)
        let tower = Tower(generator: &generator)
        let x = Tensor(shape: [1, 2], values: [1, 2])
        tower.head!(tower.layers[1](tower.layers[0](x))).sum().backward()
        XCTAssertNotNil(tower.layers[0].weight.grad)
        tower.zeroGrad()
        XCTAssertTrue(tower.parameters().allSatisfy { $0.tensor.grad == nil })
    }

    func testLinearComputesAffineMap() {
        var generator = RandomGenerator(seed: 1)
        let layer = Linear(inputSize: 2, outputSize: 3, initializer: .ones, generator: &generator)
        let y = layer(Tensor(shape: [2, 2], values: [1, 2, 3, 4]))
        XCTAssertEqual(y.shape, [2, 3])
        XCTAssertEqual(y.values, [3, 3, 3, 7, 7, 7])
    }
}
