import XCTest
@testable import RecData

final class ColumnFileWriterTests: XCTestCase {
    func testValuesArriveInOrderAcrossManyBackgroundWrites() throws {
        let files = try TestFiles()
        let path = files.path("values.i32")
        do {
            let writer = try ColumnFileWriter<Int32>(path: path, bufferBytes: 64)
            for value in 0..<1000 { try writer.append(Int32(value)) }
            let block = (1000..<1500).map(Int32.init)
            try block.withUnsafeBufferPointer { try writer.append(contentsOf: $0) }
            try writer.append(repeating: -1, count: 37)
            try writer.flush()
            XCTAssertEqual(writer.count, 1537)
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let values = data.withUnsafeBytes { Array($0.bindMemory(to: Int32.self)) }
        XCTAssertEqual(values, (0..<1500).map(Int32.init) + Array(repeating: -1, count: 37))
    }

    func testAFailedBackgroundWriteIsReported() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: "/dev/full"), "needs /dev/full")
        let writer = try ColumnFileWriter<UInt8>(path: "/dev/full", bufferBytes: 4096)
        XCTAssertThrowsError(try {
            try writer.append(repeating: 7, count: 3 * 4096)
            try writer.flush()
        }()) { error in
            XCTAssertTrue("\(error)".contains("/dev/full"), "\(error)")
            XCTAssertTrue("\(error)".contains("write failed"), "\(error)")
        }
    }
}
