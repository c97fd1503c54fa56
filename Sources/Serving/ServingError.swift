import Foundation
import Hummingbird

/// A failure the server answers with an HTTP status and a JSON body `{"error": "…"}` that
/// says what was wrong and where, e.g.
/// `instance 3: feature 'age': expected a number, found 'abc'`.
public struct ServingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The response status.
    public var status: HTTPResponse.Status
    /// The message, one line.
    public var message: String

    /// An error answered with `status`.
    public init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    /// A body that is not the JSON the endpoint expects (400).
    public static func badRequest(_ message: String) -> ServingError { ServingError(.badRequest, message) }
    /// Well-formed JSON whose values the model cannot take (422).
    public static func invalidInstance(_ message: String) -> ServingError { ServingError(.unprocessableContent, message) }
    /// A body or instance list beyond the configured limits (413).
    public static func tooLarge(_ message: String) -> ServingError { ServingError(.contentTooLarge, message) }
    /// A server too busy or shutting down (503).
    public static func unavailable(_ message: String) -> ServingError { ServingError(.serviceUnavailable, message) }
    /// Settings or a checkpoint with which the server cannot run (500 if met while serving).
    public static func configuration(_ message: String) -> ServingError { ServingError(.internalServerError, message) }

    public var description: String { message }
}

extension ServingError {
    /// The response with this error's status and the body `{"error": message}`.
    var response: Response {
        Self.response(status: status, message: message)
    }

    /// A response with `status` and the body `{"error": message}`.
    static func response(status: HTTPResponse.Status, message: String) -> Response {
        let body = (try? JSONEncoder().encode(["error": message])) ?? Data(#"{"error":"unprintable error"}"#.utf8)
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}
