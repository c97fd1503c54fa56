import Foundation
import Synchronization
@testable import Tensor
import XCTest

/// The buffer heap's placement (lowest address first, freed neighbours merged, the top
/// lowered) and its limits.
final class BufferHeapTests: XCTestCase {
    private func offset(_ p: UnsafeMutableRawPointer?, from base: UnsafeMutableRawPointer?) -> Int {
        p! - base!
    }

    func testBlocksAreTakenLowestAddressFirstAndFreedNeighboursMerge() {
        let heap = BufferHeap(reserving: 1 << 20)
        let a = heap.allocate(1000), b = heap.allocate(2048), c = heap.allocate(64)
        // Sizes round up to 64-byte blocks, laid end to end.
        XCTAssertEqual(offset(b, from: a), 1024)
        XCTAssertEqual(offset(c, from: a), 1024 + 2048)
        XCTAssertEqual(heap.extent, 1024 + 2048 + 64)
        XCTAssertTrue(heap.deallocate(b!))
        // A smaller block goes into the hole, the rest of the hole stays free.
        let d = heap.allocate(512)
        XCTAssertEqual(d, b)
        let e = heap.allocate(1536)
        XCTAssertEqual(offset(e, from: a), 1024 + 512)
        // Freeing a, d and e leaves one free block of their joint size, found whole.
        XCTAssertTrue(heap.deallocate(d!))
        XCTAssertTrue(heap.deallocate(a!))
        XCTAssertTrue(heap.deallocate(e!))
        XCTAssertEqual(heap.allocate(1024 + 2048), a)
        XCTAssertEqual(heap.extent, 1024 + 2048 + 64)
    }

    func testFreeingTheHighestBlockLowersTheExtent() {
        let heap = BufferHeap(reserving: 1 << 20)
        let a = heap.allocate(4096), b = heap.allocate(4096), c = heap.allocate(4096)
        XCTAssertTrue(heap.deallocate(b!))
        XCTAssertEqual(heap.extent, 3 * 4096)
        // c's block merges with the free b below it, and both leave the extent.
        XCTAssertTrue(heap.deallocate(c!))
        XCTAssertEqual(heap.extent, 4096)
        XCTAssertTrue(heap.deallocate(a!))
        XCTAssertEqual(heap.extent, 0)
        XCTAssertEqual(heap.allocate(100), a)
    }

    func testAFullReservationAndForeignPointersAreLeftToMalloc() {
        let heap = BufferHeap(reserving: 8192)
        let a = heap.allocate(8192)
        XCTAssertNotNil(a)
        XCTAssertNil(heap.allocate(64), "no room left")
        let foreign = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 64)
        defer { foreign.deallocate() }
        XCTAssertFalse(heap.deallocate(foreign))
        XCTAssertTrue(heap.deallocate(a!))
        XCTAssertNotNil(heap.allocate(64))
    }

    func testThreadsAllocatingAtOnceGetBlocksOfTheirOwn() {
        let heap = BufferHeap(reserving: 64 << 20)
        let rounds = 200, threads = 4
        let failures = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            var held: [(UnsafeMutablePointer<UInt32>, Int)] = []
            for r in 0..<rounds {
                let count = 16 + (r * 37 + t * 11) % 3000
                let p = heap.allocate(count * 4)!.bindMemory(to: UInt32.self, capacity: count)
                let tag = UInt32(t << 16 | r)
                p.initialize(repeating: tag, count: count)
                held.append((p, count))
                if r % 3 == 2 {
                    // Another thread writing into this block would change its tag.
                    let (q, n) = held.removeFirst()
                    if (0..<n).contains(where: { q[$0] != q[0] }) { failures.add(1, ordering: .relaxed) }
                    XCTAssertTrue(heap.deallocate(UnsafeMutableRawPointer(q)))
                }
            }
            for (q, n) in held {
                if (0..<n).contains(where: { q[$0] != q[0] }) { failures.add(1, ordering: .relaxed) }
                XCTAssertTrue(heap.deallocate(UnsafeMutableRawPointer(q)))
            }
        }
        XCTAssertEqual(failures.load(ordering: .relaxed), 0)
        XCTAssertEqual(heap.extent, 0, "every block freed")
    }

    func testLargeTensorsLiveInTheSharedHeapAndSmallOnesDoNot() {
        let large = Tensor.zeros([BufferHeap.smallestSize / 4]), small = Tensor.zeros([BufferHeap.smallestSize / 4 - 1])
        XCTAssertTrue(BufferHeap.shared.owns(large.pointer))
        XCTAssertFalse(BufferHeap.shared.owns(small.pointer))
        XCTAssertEqual(large.values.reduce(0, +), 0, "zero-filled")
    }
}
