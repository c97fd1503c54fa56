import Foundation
@testable import Serving

/// Reads the input as the body of a KServe v2 `POST /v2/models/<name>/infer`, as the server
/// does, and checks the hand-written reader against `JSONDecoder`: a body the reader accepts
/// must decode to the same request, and every body either decodes or is refused with a 400.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzInferenceRequest(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let body = Array(UnsafeBufferPointer(start: data, count: size))
    if let read = InferenceRequestReader.read(body) {
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
