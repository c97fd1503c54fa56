import Hummingbird

/// Reads a request's body within ``ServingConfiguration/maxBodyBytes``, for every endpoint
/// that takes one: a larger body is refused with a 413 after what is left of it has been
/// read and dropped (up to ``ServingConfiguration/discardedBodyBytes``).
struct RequestBodyReader: Sendable {
    let configuration: ServingConfiguration

    /// The bytes of `request`'s body.
    func bytes(of request: Request) async throws -> [UInt8] {
        let limit = configuration.maxBodyBytes
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            await discard(request)
            throw ServingError.tooLarge("the body has \(length) bytes, more than the limit of \(limit)")
        }
        do {
            return Array(try await request.body.collect(upTo: limit).readableBytesView)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            await discard(request)
            throw ServingError.tooLarge("the body has more than the limit of \(limit) bytes")
        }
    }

    /// Reads and drops what is left of a refused body, up to
    /// ``ServingConfiguration/discardedBodyBytes``, before the refusal is answered.
    ///
    /// A connection whose body is left unread stops being read (the body's backpressure), so
    /// the server would not see the client close it and would hold the connection and its
    /// buffered bytes until the idle timeout — at a high rate of refused bodies, thousands of
    /// sockets and hundreds of megabytes. Reading the rest, as a lingering close does, lets the
    /// connection end (or serve its next request) as soon as the client is done.
    private func discard(_ request: Request) async {
        var discarded = 0
        do {
            for try await buffer in request.body {
                discarded += buffer.readableBytes
                if discarded > configuration.discardedBodyBytes { return }
            }
        } catch {
            return  // the client went away: nothing left to read
        }
    }
}
