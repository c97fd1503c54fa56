@testable import Tensor
import XCTest

/// The partial-vector loads and stores every kernel's row tails go through.
final class VectorKernelTests: XCTestCase {
    func testPartialLoadsAndStoresTouchExactlyTheirLanes() {
        let source = (0..<16).map { Float($0 + 1) }
        for count in 0...16 {
            let loaded = source.withUnsafeBufferPointer { loadPartial($0.baseAddress!, count) }
            XCTAssertEqual((0..<16).map { loaded[$0] }, (0..<16).map { $0 < count ? source[$0] : 0 }, "load \(count)")
            var target = [Float](repeating: -1, count: 17)
            target.withUnsafeMutableBufferPointer { storePartial(Vec(source), $0.baseAddress!, count) }
            XCTAssertEqual(target, (0..<17).map { $0 < count ? source[$0] : -1 }, "store \(count)")
        }
    }
}
