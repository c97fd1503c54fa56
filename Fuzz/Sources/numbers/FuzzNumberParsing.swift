import Foundation
@testable import RecData

/// Parses the input as a number with the parser ingestion and prediction use, and checks each
/// parse against `strtod`/`strtoll` on the same text: a number both accept must be the same.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNumberParsing(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let parsed = NumberParsing.double(bytes)
    let storable = NumberParsing.storable(bytes)
    let integer = NumberParsing.int64(bytes)
    if let storable, !NumberParsing.isStorable(storable) { fatalError("storable(\(storable)) is not storable") }
    if let storable, storable != parsed { fatalError("storable \(storable) differs from double \(String(describing: parsed))") }
    // The reference: the C library on the same text, when the whole text is one number.
    guard !bytes.contains(0) else { return 0 }
    let text = Array(bytes) + [0]
    text.withUnsafeBufferPointer { buffer in
        buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { start in
            var end: UnsafeMutablePointer<CChar>?
            let reference = strtod(start, &end)
            let whole = size > 0 && end == UnsafeMutablePointer(mutating: start) + size
            let plainDecimal = bytes.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x2B || $0 == 0x2D || $0 == 0x65 || $0 == 0x45 }
            if let parsed, whole, parsed.bitPattern != reference.bitPattern {
                fatalError("double(\(String(decoding: bytes, as: UTF8.self))) = \(parsed), strtod gives \(reference)")
            }
            // Texts over 4096 bytes are refused on purpose (the parser bounds its copy).
            if parsed == nil, whole, plainDecimal, size <= 4096 {
                fatalError("double(\(String(decoding: bytes, as: UTF8.self))) refused a decimal that strtod reads as \(reference)")
            }
            errno = 0
            let integerReference = strtoll(start, &end, 10)
            let wholeInteger = size > 0 && end == UnsafeMutablePointer(mutating: start) + size && errno == 0
            if let integer, wholeInteger, integer != integerReference {
                fatalError("int64(\(String(decoding: bytes, as: UTF8.self))) = \(integer), strtoll gives \(integerReference)")
            }
        }
    }
    return 0
}
