import XCTest
import Randomness

final class RandomPermutationTests: XCTestCase {
    func testEveryValueAppearsExactlyOnceForAnyCount() {
        for count in [0, 1, 2, 3, 4, 5, 17, 64, 65, 1000, 65_537] {
            let permutation = RandomPermutation(count: count, seed: 42)
            var seen = [Bool](repeating: false, count: count)
            for position in 0..<count {
                let value = permutation[position]
                XCTAssertTrue((0..<count).contains(value), "\(value) outside 0..<\(count)")
                XCTAssertFalse(seen[value], "\(value) appears twice in a permutation of \(count)")
                seen[value] = true
            }
            XCTAssertEqual(seen.filter { $0 }.count, count)
        }
    }

    func testTheSeedAloneDeterminesThePermutation() {
        let order = { (seed: UInt64) in (0..<500).map { RandomPermutation(count: 500, seed: seed)[$0] } }
        XCTAssertEqual(order(7), order(7))
        XCTAssertNotEqual(order(7), order(8))
        XCTAssertEqual(RandomPermutation(count: 5, seed: 3).count, 5)
    }

    func testThePermutationLooksUniform() {
        // Over many seeds, each position of a small permutation takes each value about equally often
        // (a χ² test of the position × value table against the 99.9 % quantile of its (c − 1)²
        // degrees of freedom), and a shuffle leaves about one element in place, as a uniform one does.
        for (count, quantile) in [(3, 18.47), (6, 52.62), (10, 124.8)] {
            let seeds = 20_000
            var frequency = [[Int]](repeating: [Int](repeating: 0, count: count), count: count)
            var fixedPoints = 0
            for seed in 0..<UInt64(seeds) {
                let permutation = RandomPermutation(count: count, seed: seed)
                for position in 0..<count {
                    frequency[position][permutation[position]] += 1
                    if permutation[position] == position { fixedPoints += 1 }
                }
            }
            let expected = Double(seeds) / Double(count)
            let chiSquare = frequency.joined().reduce(0.0) { $0 + pow(Double($1) - expected, 2) / expected }
            XCTAssertLessThan(chiSquare, quantile, "permutations of \(count)")
            XCTAssertEqual(Double(fixedPoints) / Double(seeds), 1, accuracy: 0.05, "permutations of \(count)")
        }
    }

    func testNeighbouringPositionsAreNotCorrelated() {
        // A shuffle of a large range: consecutive positions land far apart (about a third of the
        // range on average, as for independent uniform draws), not in runs.
        let count = 1 << 20
        let permutation = RandomPermutation(count: count, seed: 11)
        var distance = 0.0
        for position in 0..<4096 { distance += Double(abs(permutation[position + 1] - permutation[position])) }
        XCTAssertEqual(distance / 4096 / Double(count), 1.0 / 3.0, accuracy: 0.02)
    }
}
