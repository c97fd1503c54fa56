import Foundation
import RecData
import XCTest

/// The generated event log has the shape of Taobao UserBehavior: time order, the behaviour mix,
/// power-law users and items, carts and buys of viewed items, and it ingests with the Taobao schema.
final class EventLogGeneratorTests: XCTestCase {
    private struct Event { var user: Int, item: Int, category: Int, behaviour: String, time: Int }

    private func generate(_ events: Int, files: TestFiles) throws -> (path: String, events: [Event], summary: EventLogGenerator.Summary) {
        var config = EventLogGenerator.Config()
        config.events = events
        let path = files.directory + "/events.csv"
        let summary = try EventLogGenerator(config: config).write(to: path)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        let parsed = lines.map { line -> Event in
            let f = line.split(separator: ",")
            return Event(user: Int(f[0])!, item: Int(f[1])!, category: Int(f[2])!, behaviour: String(f[3]), time: Int(f[4])!)
        }
        return (path, parsed, summary)
    }

    func testTheLogIsTimeOrderedWithTheRealBehaviourMix() throws {
        let files = try TestFiles()
        let (path, events, summary) = try generate(200_000, files: files)
        XCTAssertEqual(events.count, 200_000)
        XCTAssertEqual(summary.bytes, try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        XCTAssertTrue(zip(events, events.dropFirst()).allSatisfy { $0.time <= $1.time })
        XCTAssertEqual(events.first!.time, 1_511_539_200)
        XCTAssertLessThan(events.last!.time, 1_511_539_200 + 9 * 86_400)
        for (name, share) in [("pv", 0.895), ("cart", 0.055), ("fav", 0.029), ("buy", 0.021)] {
            let counted = events.filter { $0.behaviour == name }.count
            XCTAssertEqual(counted, summary.behaviours[name])
            XCTAssertEqual(Double(counted) / 200_000, share, accuracy: 0.005, name)
        }
    }

    func testUsersAndItemsArePowerLawSkewedAndEachItemHasOneCategory() throws {
        let files = try TestFiles()
        let events = try generate(200_000, files: files).events
        func topShare(_ key: (Event) -> Int) -> Double {
            let counts = Dictionary(grouping: events, by: key).values.map(\.count).sorted(by: >)
            return Double(counts.prefix(max(1, counts.count / 100)).reduce(0, +)) / Double(events.count)
        }
        // The busiest 1 % of users and of items account for far more than 1 % of the events.
        XCTAssertGreaterThan(topShare(\.user), 0.08)
        XCTAssertGreaterThan(topShare(\.item), 0.15)
        let categories = Dictionary(grouping: events, by: \.item).mapValues { Set($0.map(\.category)) }
        XCTAssertTrue(categories.values.allSatisfy { $0.count == 1 })
    }

    func testMostCartsAndBuysAreOfItemsTheUserViewedBefore() throws {
        let files = try TestFiles()
        var viewed = Set<[Int]>(), (later, total) = (0, 0)
        for event in try generate(100_000, files: files).events {
            if event.behaviour == "pv" {
                viewed.insert([event.user, event.item])
            } else {
                total += 1
                if viewed.contains([event.user, event.item]) { later += 1 }
            }
        }
        XCTAssertGreaterThan(Double(later) / Double(total), 0.5)
    }

    func testTheLogIngestsWithTheTaobaoSchemaIntoLearnableTasks() throws {
        let files = try TestFiles()
        let path = try generate(100_000, files: files).path
        let dataset = try BuiltinDataset.taobao.load(input: path, cacheDirectory: files.directory).dataset
        XCTAssertGreaterThan(dataset.train.rowCount, 50_000)
        XCTAssertGreaterThan(dataset.test.rowCount, 1_000)
        // Every label task has positives in training.
        let labels = dataset.train.labels.array, t = dataset.schema.tasks.count
        for k in 0..<t {
            XCTAssertGreaterThan(stride(from: k, to: labels.count, by: t).filter { labels[$0] > 0 }.count, 100, dataset.schema.tasks[k].name)
        }
    }
}
