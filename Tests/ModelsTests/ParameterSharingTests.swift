import Models
import NN
import Tensor
import XCTest

/// Every model's description of which parameters its tasks share, checked against what
/// back-propagating each task's loss alone actually reaches.
final class ParameterSharingTests: XCTestCase {
    func testEveryParameterIsInExactlyOneGroup() throws {
        for (name, config) in allTinyConfigs {
            let model = try ModelZoo.make(config, layout: tinyLayout(for: config), seed: 3)
            let slices = model.parameterSharing.groups.flatMap { $0.shared + $0.perTask.flatMap { $0 } }
            for (path, tensor) in model.parameters() {
                let mine = slices.filter { $0.tensor === tensor }
                let rows = tensor.shape.first ?? 1
                let covered = mine.flatMap { Array($0.rows ?? 0..<rows) }.sorted()
                XCTAssertEqual(covered, Array(0..<rows), "\(name): \(path) is covered \(mine.count) time(s)")
            }
            let known = Set(model.parameters().map { ObjectIdentifier($0.tensor) })
            XCTAssertTrue(slices.allSatisfy { known.contains(ObjectIdentifier($0.tensor)) }, "\(name): a group names a non-parameter")
        }
    }

    func testSharedGroupsAreExactlyThoseThatMoreThanOneTasksLossReaches() throws {
        let batch = tinyBatch()
        for (name, config) in allTinyConfigs {
            let layout = tinyLayout(for: config)
            let model = try ModelZoo.make(config, layout: layout, seed: 3)
            let loss = MultiTaskLoss(tasks: layout.tasks), labels = tinyLabels(tasks: layout.tasks.count)
            let sharing = model.parameterSharing
            let slices = sharing.groups.flatMap { group in
                group.shared.map { (group.name, $0, Optional<Int>.none) }
                    + group.perTask.enumerated().flatMap { t, own in own.map { (group.name, $0, Optional(t)) } }
            }
            // reached[i]: the tasks whose loss alone gives slice i a non-zero gradient.
            var reached = Array(repeating: Set<Int>(), count: slices.count)
            for t in layout.tasks.indices {
                model.zeroGrad()
                loss(model(batch), labels: labels).perTaskLoss.slice(axis: 0, t..<(t + 1)).sum().backward()
                for (i, (_, slice, _)) in slices.enumerated() where Self.hasGradient(slice) { reached[i].insert(t) }
            }
            model.zeroGrad()
            for (i, (group, _, owner)) in slices.enumerated() {
                if let owner {
                    XCTAssertEqual(reached[i], [owner], "\(name): a part of task \(owner) in '\(group)'")
                } else {
                    XCTAssertGreaterThan(reached[i].count, 1, "\(name): a parameter of shared group '\(group)'")
                }
            }
            if config.model == "single-task" {
                XCTAssertTrue(sharing.sharedSlices.isEmpty && sharing.lastSharedLayer.isEmpty, name)
            } else {
                let shared = Set(sharing.sharedSlices.map { ObjectIdentifier($0.tensor) })
                XCTAssertFalse(sharing.lastSharedLayer.isEmpty, name)
                XCTAssertTrue(sharing.lastSharedLayer.allSatisfy { shared.contains(ObjectIdentifier($0)) }, name)
            }
        }
    }

    func testMMoESharesItsExpertsAndKeepsGatesAndTowersPerTask() throws {
        let config = tinyConfig("mmoe")
        let sharing = try ModelZoo.make(config, layout: tinyLayout, seed: 1).parameterSharing
        XCTAssertEqual(sharing.groups.map(\.name), ["embeddings", "experts", "gates", "towers"])
        XCTAssertEqual(sharing.groups.map(\.isShared), [true, true, false, false])
        XCTAssertEqual(sharing.group(named: "towers")?.perTask.count, 3)
    }

    /// Whether the slice's gradient has a non-zero element.
    private static func hasGradient(_ slice: ParameterSharing.Slice) -> Bool {
        let t = slice.tensor
        if let sparse = t.rowGrad { return sparse.values.contains { $0 != 0 } }
        guard let grad = t.grad?.values else { return false }
        let width = t.count / max(1, t.shape.first ?? 1)
        let range = slice.rows.map { ($0.lowerBound * width)..<($0.upperBound * width) } ?? 0..<grad.count
        return grad[range].contains { $0 != 0 }
    }
}
