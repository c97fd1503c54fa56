import XCTest

import Randomness
@testable import RecData

final class SyntheticGeneratorTests: XCTestCase {
    /// A dataset large enough for stable rates and AUCs, drawn once for the tests that read it.
    private static let moderate = Result { try SyntheticGenerator(config: smallConfig(rows: 20_000)).generate() }

    /// A configuration small enough for a debug build.
    private static func smallConfig(rows: Int = 2_000, seed: UInt64 = 7, conflict: Double = 0.5) -> SyntheticConfig {
        var config = SyntheticConfig()
        config.trainRows = rows
        config.validationRows = rows / 4
        config.testRows = rows / 4
        config.users = 100
        config.items = 300
        config.categories = 10
        config.seed = seed
        config.conflict = conflict
        return config
    }

    private func smallConfig(rows: Int = 2_000, seed: UInt64 = 7, conflict: Double = 0.5) -> SyntheticConfig {
        Self.smallConfig(rows: rows, seed: seed, conflict: conflict)
    }

    private func generate(_ config: SyntheticConfig) throws -> SyntheticDataset {
        try SyntheticGenerator(config: config).generate()
    }

    func testTheSameSeedGivesIdenticalData() throws {
        XCTAssertEqual(try generate(smallConfig(seed: 3)), try generate(smallConfig(seed: 3)))
    }

    func testDifferentSeedsGiveDifferentData() throws {
        let (first, second) = (try generate(smallConfig(seed: 3)), try generate(smallConfig(seed: 4)))
        XCTAssertNotEqual(first.train.categorical[1].values, second.train.categorical[1].values)
        XCTAssertNotEqual(first.train.sequences[0].items, second.train.sequences[0].items)
        XCTAssertNotEqual(first.train.labels[0].values, second.train.labels[0].values)
    }

    func testColumnsHaveTheConfiguredShapesAndVocabularies() throws {
        let config = smallConfig()
        let data = try generate(config)
        XCTAssertEqual(data.namedSplits.map(\.split.rowCount), [2_000, 500, 500])
        for (_, split) in data.namedSplits {
            let rows = split.rowCount
            XCTAssertEqual(
                split.categorical.map(\.name),
                ["user_id", "item_id", "item_category", "context_0", "context_1", "context_2", "context_3"])
            XCTAssertEqual(split.categorical.map(\.vocabularySize), [100, 300, 10, 8, 32, 128, 512])
            for column in split.categorical {
                XCTAssertEqual(column.values.count, rows)
                XCTAssertTrue(column.values.allSatisfy { (1...Int32(column.vocabularySize)).contains($0) }, column.name)
            }
            XCTAssertEqual(
                split.numeric.map(\.name),
                ["dense_0", "dense_1", "dense_2", "dense_3"] + (0..<12).map { "shared_\($0)" })
            XCTAssertTrue(split.numeric.allSatisfy { $0.values.count == rows })
            XCTAssertEqual(split.labels.map(\.name), ["task_0", "task_1", "task_2"])
            for label in split.labels {
                XCTAssertTrue(label.values.allSatisfy { $0 == 0 || $0 == 1 })
                XCTAssertEqual(label.oracleLogits.count, rows)
                XCTAssertEqual(label.ceilingScores.count, rows)
            }
            XCTAssertEqual(split.groupKeys, split.categorical[0].values)
        }
    }

    func testSequencesAreRightAlignedWithPaddingOnTheLeft() throws {
        let config = smallConfig()
        let split = try generate(config).train
        let length = config.sequenceLength
        XCTAssertEqual(split.sequences.map(\.name), ["behaviour_0", "behaviour_1", "behaviour_2"])
        for sequence in split.sequences {
            XCTAssertEqual(sequence.length, length)
            XCTAssertEqual(sequence.items.count, split.rowCount * length)
            XCTAssertEqual(sequence.itemField, "item_id")
            for row in 0..<split.rowCount {
                let n = Int(sequence.lengths[row])
                XCTAssertTrue((config.minimumSequenceLength...length).contains(n))
                for slot in 0..<length {
                    let (item, category) = (sequence.items[row * length + slot], sequence.categories[row * length + slot])
                    if slot < length - n {
                        XCTAssertEqual([item, category], [0, 0], "padding must precede the items")
                    } else {
                        XCTAssertTrue((1...Int32(config.items)).contains(item))
                        XCTAssertTrue((1...Int32(config.categories)).contains(category))
                    }
                }
            }
        }
    }

    func testEveryItemKeepsOneCategoryEverywhere() throws {
        let split = try generate(smallConfig()).train
        var categoryOfItem: [Int32: Int32] = [:]
        let pairs = zip(split.categorical[1].values, split.categorical[2].values).map { ($0, $1) }
            + split.sequences.flatMap { zip($0.items, $0.categories).filter { $0.0 != 0 } }
        for (item, category) in pairs {
            XCTAssertEqual(categoryOfItem[item, default: category], category, "item \(item)")
            categoryOfItem[item] = category
        }
    }

    func testPositiveRatesMatchTheirTargets() throws {
        let rates = try Self.moderate.get().train.taskStatistics().map(\.positiveRate)
        for (rate, target) in zip(rates, [0.3, 0.15, 0.04]) {
            XCTAssertEqual(rate, target, accuracy: 0.15 * target)
        }
    }

    func testTheOracleBeatsTheCeilingWhichBeatsChance() throws {
        for statistics in try Self.moderate.get().train.taskStatistics() {
            let (oracle, ceiling) = (try XCTUnwrap(statistics.oracleAUC), try XCTUnwrap(statistics.ceilingAUC))
            XCTAssertGreaterThan(oracle, ceiling, statistics.task)
            XCTAssertGreaterThan(ceiling, 0.7, statistics.task)
        }
    }

    func testWithoutLabelNoiseTheCeilingIsTheOracle() throws {
        var config = smallConfig()
        config.labelNoise = 0
        for label in try generate(config).test.labels {
            XCTAssertEqual(label.oracleLogits, label.ceilingScores)
        }
    }

    func testConflictDecorrelatesTheTasks() throws {
        let meanCorrelations = try [0, 0.5, 1].map { conflict in
            let labels = try generate(smallConfig(rows: 8_000, conflict: conflict)).train.labels
            let pairs = [(0, 1), (0, 2), (1, 2)]
            return pairs.reduce(0) { $0 + correlation(labels[$1.0].ceilingScores, labels[$1.1].ceilingScores) } / 3
        }
        XCTAssertGreaterThan(meanCorrelations[0], meanCorrelations[1])
        XCTAssertGreaterThan(meanCorrelations[1], meanCorrelations[2])
        XCTAssertGreaterThan(meanCorrelations[0], 0.4)
        XCTAssertLessThan(meanCorrelations[2], 0.15)
    }

    func testTheSharedPartIsTheRidgeSumOfTheSharedFields() throws {
        var config = smallConfig()
        (config.sharedWeight, config.sequenceWeight, config.fieldWeight, config.labelNoise) = (1, 0, 0, 0)
        let split = try generate(config).train
        var random = RandomGenerator(seed: config.seed, stream: 0)
        let world = SyntheticWorld(config: config, random: &random)
        let shared = split.numeric.filter { $0.name.hasPrefix("shared_") }
        XCTAssertEqual(shared.count, config.sharedFields)
        for t in 0..<config.tasks {
            let recomputed = (0..<split.rowCount).map { r in
                Float(world.sharedPart(task: t, values: shared.map { Double($0.values[r]) }))
            }
            XCTAssertGreaterThan(correlation(split.labels[t].ceilingScores, recomputed), 0.9999, "task \(t)")
        }
    }

    func testAtConflictZeroEveryTaskNeedsTheSameSharedFunction() throws {
        var config = smallConfig(conflict: 0)
        (config.sharedWeight, config.sequenceWeight, config.fieldWeight) = (1, 0, 0)
        let labels = try generate(config).train.labels
        for t in 1..<config.tasks {
            let offsets = zip(labels[t].ceilingScores, labels[0].ceilingScores).map { $0 - $1 }
            XCTAssertEqual(offsets.max()! - offsets.min()!, 0, accuracy: 1e-4, "task \(t) differs from task 0 by more than its bias")
        }
    }

    func testTheSummaryReportsEveryTaskAndSplit() throws {
        let summary = try generate(smallConfig()).summary
        let expected = ["conflict 0.50", "task_2", "validation", "oracle AUC", "context_3 512 → noise",
                        "dense_0 → task_0", "8 of them task-specific", "shared_11"]
        for text in expected {
            XCTAssertTrue(summary.contains(text), "missing \(text) in\n\(summary)")
        }
        XCTAssertFalse(summary.contains("shared_0 →"), "a shared field is not one task's context field")
    }
}
