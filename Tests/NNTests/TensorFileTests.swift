import Foundation
@testable import NN
import Tensor
import XCTest

final class TensorFileTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("TensorFileTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try FileManager.default.removeItem(at: directory)
    }

    private let tensors: [(name: String, tensor: Tensor)] = [
        ("a", Tensor(shape: [2, 3], values: [1, -2, 3.5, .pi, -0, .leastNonzeroMagnitude])),
        ("b.c", Tensor(shape: [], values: [42])),
        ("empty", Tensor.zeros([0, 4])),
    ]

    func testCRC32MatchesTheStandardCheckValue() {
        var crc = CRC32()
        Array("123456789".utf8).withUnsafeBytes { crc.update($0) }
        XCTAssertEqual(crc.value, 0xCBF4_3926)
        var long = CRC32()
        Array(repeating: UInt8(ascii: "a"), count: 1000).withUnsafeBytes { long.update($0) }
        XCTAssertEqual(long.value, 0x9A38_DA03, "zlib.crc32(b'a' * 1000)")
    }

    func testRoundTripIsBitIdentical() throws {
        let url = directory.appendingPathComponent("t.tensors")
        try TensorFile.write(tensors, metadata: ["content": "test", "note": "é"], to: url)
        let file = try TensorFile(contentsOf: url)
        XCTAssertEqual(file.metadata, ["content": "test", "note": "é"])
        XCTAssertEqual(file.entries, [.init(name: "a", shape: [2, 3]), .init(name: "b.c", shape: []),
                                      .init(name: "empty", shape: [0, 4])])
        for (name, tensor) in tensors {
            XCTAssertBitIdentical(try file.tensor(named: name).values, tensor.values, name)
        }
        let targets = tensors.map { ($0.name, Tensor.zeros($0.tensor.shape)) }
        try file.restore(targets)
        XCTAssertBitIdentical(targets[0].1.values, tensors[0].tensor.values)
    }

    func testWritingReplacesTheFileAndLeavesNoTemporaryFile() throws {
        let url = directory.appendingPathComponent("t.tensors")
        try TensorFile.write(tensors, to: url)
        try TensorFile.write([("only", Tensor(shape: [1], values: [7]))], to: url)
        XCTAssertEqual(try TensorFile(contentsOf: url).entries.map(\.name), ["only"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["t.tensors"])
    }

    func testWritingIntoAMissingDirectoryThrows() {
        let url = directory.appendingPathComponent("missing/t.tensors")
        XCTAssertThrowsError(try TensorFile.write(tensors, to: url)) { error in
            guard case .io = (error as? TensorFileError)?.reason else { return XCTFail("\(error)") }
        }
    }

    func testCorruptionIsDetected() throws {
        let url = directory.appendingPathComponent("t.tensors")
        try TensorFile.write(tensors, to: url)
        let original = try Data(contentsOf: url)
        func reason(after damage: (inout Data) -> Void) throws -> TensorFileError.Reason? {
            var bytes = original
            damage(&bytes)
            try bytes.write(to: url)
            do {
                _ = try TensorFile(contentsOf: url)
                return nil
            } catch let error as TensorFileError {
                XCTAssertTrue(error.description.hasPrefix(url.path), error.description)
                return error.reason
            }
        }
        XCTAssertEqual(try reason { $0[original.count - 3] ^= 0x10 }, .checksumMismatch(section: "data"))
        XCTAssertEqual(try reason { $0[32 + 5] ^= 0x01 }, .checksumMismatch(section: "index"))
        XCTAssertEqual(try reason { $0.removeLast(4) },
                       .sizeMismatch(expectedBytes: original.count, actualBytes: original.count - 4))
        XCTAssertEqual(try reason { $0.append(0) },
                       .sizeMismatch(expectedBytes: original.count, actualBytes: original.count + 1))
        XCTAssertEqual(try reason { $0 = $0.prefix(20) }, .sizeMismatch(expectedBytes: 32, actualBytes: 20))
        XCTAssertEqual(try reason { $0[0] = UInt8(ascii: "X") }, .notATensorFile)
        XCTAssertEqual(try reason { $0 = Data("hello".utf8) }, .notATensorFile)
        XCTAssertEqual(try reason { $0[8] = 9 }, .unsupportedVersion(9))
    }

    func testAFileOfAnotherVersionIsRefusedNamingItAndBothVersions() throws {
        let url = directory.appendingPathComponent("v.tensors")
        try TensorFile.write([("w", Tensor(shape: [2], values: [1, 2]))], to: url)
        let original = try Data(contentsOf: url)
        for (version, message) in [(0, "an older version of dtrn (format 0, this build reads 1)"),
                                   (2, "a newer version of dtrn (format 2, this build reads 1)")] {
            var bytes = original
            bytes[8] = UInt8(version)
            try bytes.write(to: url)
            XCTAssertThrowsError(try TensorFile(contentsOf: url)) { error in
                XCTAssertEqual("\(error)", "\(url.path) was written by \(message)")
            }
        }
    }

    func testInconsistentIndexIsRejected() throws {
        let url = directory.appendingPathComponent("t.tensors")
        let index = #"{"metadata":{},"tensors":[{"dtype":"float32","name":"x","offset":0,"shape":[3]}]}"#
        try handWritten(index: index, dataBytes: 8).write(to: url)
        XCTAssertThrowsError(try TensorFile(contentsOf: url)) { error in
            XCTAssertEqual((error as? TensorFileError)?.reason,
                           .malformedIndex("tensor 'x' extends past the data section"))
        }
        let float16 = #"{"metadata":{},"tensors":[{"dtype":"float16","name":"x","offset":0,"shape":[2]}]}"#
        try handWritten(index: float16, dataBytes: 8).write(to: url)
        XCTAssertThrowsError(try TensorFile(contentsOf: url)) { error in
            XCTAssertEqual((error as? TensorFileError)?.reason, .malformedIndex("tensor 'x' has element type float16"))
        }
    }

    func testMissingUnexpectedAndMisshapenTensorsAreReportedWithoutChangingTargets() throws {
        let url = directory.appendingPathComponent("t.tensors")
        try TensorFile.write(tensors, to: url)
        let file = try TensorFile(contentsOf: url)
        let a = Tensor.zeros([2, 3]), c = Tensor.zeros([1])
        let e = Tensor.zeros([0, 4])
        XCTAssertThrowsError(try file.restore([("a", a), ("z", c), ("b.c", c), ("empty", e)])) { error in
            XCTAssertEqual((error as? TensorFileError)?.reason, .missingTensors(["z"]))
        }
        XCTAssertThrowsError(try file.restore([("a", a)])) { error in
            XCTAssertEqual((error as? TensorFileError)?.reason, .unexpectedTensors(["b.c", "empty"]))
        }
        XCTAssertThrowsError(try file.restore([("a", a), ("b.c", c), ("empty", e)])) { error in
            let error = error as? TensorFileError
            XCTAssertEqual(error?.reason, .shapeMismatch(name: "b.c", expected: [1], found: []))
            XCTAssertEqual(error?.description, "\(url.path): tensor 'b.c' has shape [] in the file, expected [1]")
        }
        XCTAssertEqual(a.values, [0, 0, 0, 0, 0, 0], "a failed restore changes nothing")
    }

    /// A file with a correct header around `index` and `dataBytes` zero bytes.
    private func handWritten(index: String, dataBytes: Int) -> Data {
        let indexBytes = Array(index.utf8), data = [UInt8](repeating: 0, count: dataBytes)
        var indexChecksum = CRC32(), dataChecksum = CRC32()
        indexBytes.withUnsafeBytes { indexChecksum.update($0) }
        data.withUnsafeBytes { dataChecksum.update($0) }
        let header = TensorFileHeader(version: 1, indexChecksum: indexChecksum.value, dataChecksum: dataChecksum.value,
                                      indexLength: indexBytes.count, dataLength: dataBytes)
        return Data(header.bytes + indexBytes + data)
    }
}
