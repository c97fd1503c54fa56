import Distributed
import XCTest

/// The communication model's byte counts against the ring algorithms worked by hand.
final class CommunicationModelTests: XCTestCase {
    func testARingAllreduceSendsTwiceTheBufferLessOneShare() {
        var traffic = GradientSynchronizer.StepTraffic()
        traffic.denseFloats = 1_000_000
        let model = CommunicationModel(traffic: traffic, processes: 2, buckets: 4, latency: 0)
        // 4 MB in a ring of 8: each process sends 2 · 7/8 · 4 MB = 7 MB.
        XCTAssertEqual(model.bytesSent(processes: 8), 7_000_000, accuracy: 1e-6)
        XCTAssertEqual(model.bytesSent(processes: 1), 0)
        // 7 MB = 56 Mbit at 100 Gbit/s: 0.56 ms.
        XCTAssertEqual(model.seconds(processes: 8, gigabitsPerSecond: 100), 56e6 / 100e9, accuracy: 1e-12)
    }

    func testGatheredRowsCountEveryProcessOnceAndLatencyEveryMessage() {
        var traffic = GradientSynchronizer.StepTraffic()
        traffic.gatheredFloatsSent = 250
        // Two processes sent 250 floats each: 2000 bytes for the global batch.
        let model = CommunicationModel(traffic: traffic, processes: 2, buckets: 0, latency: 1e-6)
        XCTAssertEqual(model.gatheredBytes, 2000)
        // In a ring of 4 each sends 3/4 of it in 3 steps of two gathers (ids and rows).
        XCTAssertEqual(model.bytesSent(processes: 4), 1500, accuracy: 1e-9)
        XCTAssertEqual(model.seconds(processes: 4, gigabitsPerSecond: 25), 1500 * 8 / 25e9 + 6e-6, accuracy: 1e-12)
    }
}

/// A process started without `mpirun` is a group of one that runs everything itself.
final class ProcessGroupTests: XCTestCase {
    func testAGroupOfOneRunsLeaderWorkItselfAndDecidesAlone() throws {
        let group = ProcessGroup.single
        XCTAssertEqual([group.rank, group.size, group.localSize], [0, 1, 1])
        XCTAssertTrue(group.isLeader)
        XCTAssertFalse(group.isDistributed)
        XCTAssertNil(group.communicator)
        XCTAssertEqual(try group.leaderFirst { 7 }, 7)
        XCTAssertFalse(group.leaderDecides(false))
        struct Failure: Error {}
        XCTAssertThrowsError(try group.leaderOnly { throw Failure() })
    }
}
