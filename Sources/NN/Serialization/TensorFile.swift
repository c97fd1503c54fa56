import Foundation
import Tensor

/// A file of named Float32 tensors with string metadata: the format of parameter files and of
/// optimizer state files.
///
/// Layout (integers little-endian):
///
/// | offset | size | content |
/// |---|---|---|
/// | 0 | 8 | signature `DTRNTENS` |
/// | 8 | 4 | format version (1) |
/// | 12 | 4 | CRC-32 (zlib's) of the index |
/// | 16 | 4 | CRC-32 of the data |
/// | 20 | 4 | index length in bytes |
/// | 24 | 8 | data length in bytes |
/// | 32 | index length | UTF-8 JSON: `{"metadata": {…}, "tensors": [{"name", "shape", "dtype": "float32", "offset"}]}`, offsets in bytes from the data start |
/// | 32 + index length | data length | the elements, Float32 little-endian, tensors back to back in index order |
///
/// Writing is atomic: a reader sees the old file or the new one, never a mix. Opening verifies
/// the signature, version, size, checksums and index before anything is read.
public struct TensorFile {
    /// A stored tensor: its name and shape.
    public struct Entry: Sendable, Equatable {
        /// The tensor's name.
        public let name: String
        /// The tensor's shape.
        public let shape: [Int]
    }

    /// The file's location.
    public let url: URL
    /// The string metadata stored with the tensors.
    public let metadata: [String: String]
    /// The stored tensors, in file order.
    public let entries: [Entry]
    /// The whole file.
    private let contents: Data
    /// The absolute byte offset of each tensor's first element, by name.
    private let offsets: [String: Int]

    /// Opens and verifies the file at `url`.
    ///
    /// - Throws: ``TensorFileError`` when the file cannot be read, is not a tensor file, is
    ///   truncated, fails a checksum, or has an inconsistent index.
    public init(contentsOf url: URL) throws {
        do {
            contents = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw TensorFileError(url, .io(operation: "reading", message: error.localizedDescription))
        }
        let (index, dataStart) = try contents.withUnsafeBytes { try Self.verifiedIndex(of: $0, url: url) }
        self.url = url
        metadata = index.metadata
        entries = index.tensors.map { Entry(name: $0.name, shape: $0.shape) }
        offsets = Dictionary(uniqueKeysWithValues: index.tensors.map { ($0.name, dataStart + $0.offset) })
    }

    /// Writes `tensors` (distinct names) and `metadata` to a new file at `url`, replacing any file
    /// there atomically.
    public static func write(
        _ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:], to url: URL
    ) throws {
        let names = tensors.map(\.name)
        precondition(Set(names).count == names.count, "TensorFile: duplicate tensor names in \(names)")
        var records: [TensorFileIndex.Record] = []
        var offset = 0
        var dataChecksum = CRC32()
        for (name, tensor) in tensors {
            records.append(.init(name: name, shape: tensor.shape, dtype: TensorFileLayout.elementType, offset: offset))
            offset += tensor.count * MemoryLayout<Float>.size
            dataChecksum.update(UnsafeRawBufferPointer(tensor.storage.buffer))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let index = try encoder.encode(TensorFileIndex(metadata: metadata, tensors: records))
        var indexChecksum = CRC32()
        index.withUnsafeBytes { indexChecksum.update($0) }
        let header = TensorFileHeader(
            version: TensorFileLayout.version, indexChecksum: indexChecksum.value,
            dataChecksum: dataChecksum.value, indexLength: index.count, dataLength: offset)
        try AtomicFileWriter.write(to: url) { file in
            try header.bytes.withUnsafeBytes { try file.append($0) }
            try index.withUnsafeBytes { try file.append($0) }
            for (_, tensor) in tensors { try file.append(UnsafeRawBufferPointer(tensor.storage.buffer)) }
        }
    }

    /// A new tensor holding the stored values of `name`.
    ///
    /// - Throws: ``TensorFileError/Reason/missingTensors(_:)`` when the file has no such tensor.
    public func tensor(named name: String) throws -> Tensor {
        guard let entry = entries.first(where: { $0.name == name }) else {
            throw TensorFileError(url, .missingTensors([name]))
        }
        let tensor = Tensor.zeros(entry.shape)
        copy(name, into: tensor)
        return tensor
    }

    /// Overwrites every target tensor with the stored tensor of the same name, after checking that
    /// the file holds exactly these names with these shapes; on error no target is changed.
    public func restore(_ targets: [(name: String, tensor: Tensor)]) throws {
        let stored = Dictionary(uniqueKeysWithValues: entries.map { ($0.name, $0.shape) })
        let missing = targets.map(\.name).filter { stored[$0] == nil }
        if !missing.isEmpty { throw TensorFileError(url, .missingTensors(missing)) }
        let expected = Set(targets.map(\.name))
        let unexpected = entries.map(\.name).filter { !expected.contains($0) }
        if !unexpected.isEmpty { throw TensorFileError(url, .unexpectedTensors(unexpected)) }
        for (name, tensor) in targets where stored[name] != tensor.shape {
            throw TensorFileError(url, .shapeMismatch(name: name, expected: tensor.shape, found: stored[name]!))
        }
        for (name, tensor) in targets { copy(name, into: tensor) }
    }

    /// The metadata key naming what a file holds (parameters, optimizer state, …).
    public static let contentKey = "content"

    /// Checks that the metadata value of `key` is `expected`.
    public func checkMetadata(_ key: String, is expected: String) throws {
        guard metadata[key] == expected else {
            throw TensorFileError(url, .metadataMismatch(key: key, expected: expected, found: metadata[key]))
        }
    }

    /// Copies the stored elements of `name` (known to have the shape of `tensor`) into `tensor`.
    private func copy(_ name: String, into tensor: Tensor) {
        let start = offsets[name]!
        contents.withUnsafeBytes { file in
            UnsafeMutableRawPointer(tensor.pointer)
                .copyMemory(from: file.baseAddress! + start, byteCount: tensor.count * MemoryLayout<Float>.size)
        }
    }

    /// The index of `file` and the offset of its data section, after checking the signature,
    /// version, size, checksums and the consistency of the index.
    private static func verifiedIndex(
        of file: UnsafeRawBufferPointer, url: URL
    ) throws -> (index: TensorFileIndex, dataStart: Int) {
        let headerSize = TensorFileLayout.headerSize
        guard file.prefix(8).elementsEqual(TensorFileLayout.signature.prefix(file.count)) else {
            throw TensorFileError(url, .notATensorFile)
        }
        guard file.count >= headerSize, let header = TensorFileHeader.read(from: file) else {
            throw TensorFileError(url, .sizeMismatch(expectedBytes: headerSize, actualBytes: file.count))
        }
        guard header.version == TensorFileLayout.version else {
            throw TensorFileError(url, .unsupportedVersion(header.version))
        }
        let dataStart = headerSize + header.indexLength
        guard file.count == dataStart + header.dataLength else {
            throw TensorFileError(url, .sizeMismatch(expectedBytes: dataStart + header.dataLength, actualBytes: file.count))
        }
        let indexBytes = UnsafeRawBufferPointer(rebasing: file[headerSize..<dataStart])
        let dataBytes = UnsafeRawBufferPointer(rebasing: file[dataStart...])
        for (section, bytes, checksum) in [("index", indexBytes, header.indexChecksum),
                                           ("data", dataBytes, header.dataChecksum)] {
            var crc = CRC32()
            crc.update(bytes)
            guard crc.value == checksum else { throw TensorFileError(url, .checksumMismatch(section: section)) }
        }
        let index: TensorFileIndex
        do {
            index = try JSONDecoder().decode(TensorFileIndex.self, from: Data(indexBytes))
        } catch {
            throw TensorFileError(url, .malformedIndex("\(error)"))
        }
        try checkRecords(index.tensors, dataLength: header.dataLength, url: url)
        return (index, dataStart)
    }

    /// Checks that the records have distinct names, the Float32 element type, valid shapes, and
    /// lie back to back over exactly `dataLength` bytes.
    private static func checkRecords(_ records: [TensorFileIndex.Record], dataLength: Int, url: URL) throws {
        var names = Set<String>()
        var offset = 0
        for record in records {
            func fail(_ problem: String) -> TensorFileError {
                TensorFileError(url, .malformedIndex("tensor '\(record.name)' \(problem)"))
            }
            guard names.insert(record.name).inserted else { throw fail("appears twice") }
            guard record.dtype == TensorFileLayout.elementType else { throw fail("has element type \(record.dtype)") }
            guard record.offset == offset else { throw fail("starts at byte \(record.offset), expected \(offset)") }
            var byteCount = MemoryLayout<Float>.size
            for extent in record.shape {
                let (product, overflow) = byteCount.multipliedReportingOverflow(by: extent)
                guard extent >= 0, !overflow else { throw fail("has shape \(record.shape)") }
                byteCount = product
            }
            offset += byteCount
            guard offset <= dataLength else { throw fail("extends past the data section") }
        }
        guard offset == dataLength else {
            throw TensorFileError(url, .malformedIndex("tensors cover \(offset) of \(dataLength) data bytes"))
        }
    }
}
