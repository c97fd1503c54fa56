import XCTest
@testable import RecData
import Synchronization

final class BackgroundProducerTests: XCTestCase {
    private struct Failure: Error, Equatable {}

    func testItemsArriveInOrderThenTheEnd() throws {
        let squares = BackgroundProducer<Int>(depth: 2) { emit in
            for n in 0..<1000 where !emit(n * n) { return }
        }
        var received: [Int] = []
        while let square = try squares.next() { received.append(square) }
        XCTAssertEqual(received, (0..<1000).map { $0 * $0 })
        XCTAssertNil(try squares.next(), "the end stays the end")
    }

    func testTheProducersErrorComesAfterItsItems() {
        let numbers = BackgroundProducer<Int>(depth: 3) { emit in
            for n in 0..<5 where !emit(n) { return }
            throw Failure()
        }
        var received: [Int] = []
        XCTAssertThrowsError(try { while let n = try numbers.next() { received.append(n) } }()) { error in
            XCTAssertEqual(error as? Failure, Failure())
        }
        XCTAssertEqual(received, [0, 1, 2, 3, 4])
    }

    func testCancellingReleasesABlockedProducer() throws {
        let emitted = Counter()
        let endless = BackgroundProducer<Int>(depth: 1) { emit in
            var n = 0
            while emit(n) {
                emitted.increment()
                n += 1
            }
        }
        XCTAssertEqual(try endless.next(), 0)
        endless.cancel()  // returns only once the producer has stopped
        let stopped = emitted.value
        XCTAssertLessThanOrEqual(stopped, 3, "a queue of one item lets the producer run at most a little ahead")
        endless.cancel()
        XCTAssertEqual(emitted.value, stopped)
    }
}

/// A thread-safe count.
private final class Counter: Sendable {
    private let count = Mutex(0)
    var value: Int { count.withLock { $0 } }
    func increment() { count.withLock { $0 += 1 } }
}
