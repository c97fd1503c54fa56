import Foundation
@testable import Serving

/// Whether `body` holds a number `0e…` or `0E…` (valid JSON, RFC 8259), which Foundation's
/// JSON parser on Linux refuses while the reader takes it.
func hasZeroWithExponent(_ body: [UInt8]) -> Bool {
    body.indices.dropLast().contains { i in
        body[i] == UInt8(ascii: "0") && (body[i + 1] | 0x20) == UInt8(ascii: "e")
            && (i == 0 || !(body[i - 1].isASCIIDigitOrDot))
    }
}

extension UInt8 {
    /// Whether the byte is an ASCII digit or `.`.
    var isASCIIDigitOrDot: Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) || self == UInt8(ascii: ".") }
}

/// Reads the input as the body of a KServe v2 `POST /v2/models/<name>/infer`, as the server
/// does, and checks the hand-written reader against `JSONDecoder`: a body the reader accepts
/// must decode to the same request (unless it has a `0e…` number, which only the reader reads
/// right), and every body either decodes or is refused with a 400.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzInferenceRequest(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let body = Array(UnsafeBufferPointer(start: data, count: size))
    if let read = InferenceRequestReader.read(body), !hasZeroWithExponent(body) {
        guard let decoded = try? JSONDecoder().decode(InferenceRequest.self, from: Data(body)) else {
            fatalError("the reader accepts a body JSONDecoder refuses: \(String(decoding: body, as: UTF8.self))")
        }
        guard read == decoded else {
            fatalError("the reader and JSONDecoder read different requests from \(String(decoding: body, as: UTF8.self))")
        }
    }
    do {
        _ = try InferenceRequest.decode(body)
    } catch {
        guard error.status.code == 400 else { fatalError("a body refused with \(error.status.code) \(error), not a 400") }
    }
    return 0
}
