import Foundation
import Hummingbird

/// A `200 OK` response with `value` as JSON (keys sorted, so that answers are stable).
func json(_ value: some Encodable) throws -> Response {
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    return Response(
        status: .ok, headers: [.contentType: "application/json"],
        body: ResponseBody(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
}
