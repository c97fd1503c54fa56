import Foundation
import FuzzInputFile
@testable import NN

/// The file each input is written to.
let file = InputFile(name: "input.tensors")

/// The input with the header's two CRC-32s recomputed when its lengths fit its size, so that
/// mutated indexes and data reach the decoder behind the checksum check; any other input as it is.
func withChecksumsFixed(_ data: UnsafePointer<UInt8>, _ size: Int) -> [UInt8] {
    var bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let header = TensorFileLayout.headerSize
    guard size >= header else { return bytes }
    func integer(at offset: Int, width: Int) -> Int {
        (0..<width).reduce(0) { $0 | Int(bytes[offset + $1]) << (8 * $1) }
    }
    let indexLength = integer(at: 20, width: 4), dataLength = integer(at: 24, width: 8)
    guard (0...size).contains(dataLength), header + indexLength + dataLength == size else { return bytes }
    for (field, range) in [(12, header..<header + indexLength), (16, header + indexLength..<size)] {
        var crc = CRC32()
        bytes[range].withUnsafeBytes { crc.update($0) }
        for byte in 0..<4 { bytes[field + byte] = UInt8(truncatingIfNeeded: crc.value >> (8 * UInt32(byte))) }
    }
    return bytes
}

/// Opens the input, checksums fixed, as a tensor file (parameters, optimiser state) and reads
/// every tensor it lists.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTensorFile(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    withChecksumsFixed(data, size).withUnsafeBufferPointer { file.write($0.baseAddress ?? data, count: $0.count) }
    guard let tensors = try? TensorFile(contentsOf: URL(fileURLWithPath: file.path)) else { return 0 }
    for entry in tensors.entries {
        _ = try? tensors.tensor(named: entry.name)
    }
    _ = try? tensors.checkMetadata(TensorFile.contentKey, is: "parameters")
    return 0
}
