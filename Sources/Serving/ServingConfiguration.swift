/// Everything a scoring server is told at start: where it listens, how it batches, and the
/// limits that keep bad or excessive input from hurting it.
public struct ServingConfiguration: Sendable, Equatable {
    /// What a request's feature that the model does not know does to the request.
    public enum UnknownFieldPolicy: String, Sendable, Equatable, CaseIterable {
        /// The request is refused with a 422 naming the instance and the feature.
        case reject
        /// The feature is dropped.
        case ignore
    }

    /// The address to bind.
    public var host = "127.0.0.1"
    /// The port to bind (0: any free port).
    public var port = 8080
    /// The most instances scored in one model call; requests queued together are merged up to this.
    public var maxBatchRows = 256
    /// How long the first queued request waits for others to join its batch, in milliseconds.
    public var maxWaitMilliseconds = 2
    /// The largest request body accepted, in bytes (larger: 413).
    public var maxBodyBytes = 4 << 20
    /// The most bytes of a refused, too large body that are read and dropped before the 413 is
    /// sent, so that its connection ends as soon as the client is done; the connection of a
    /// larger body is held until the idle timeout.
    public var discardedBodyBytes = 64 << 20
    /// The most instances in one request (more: 413).
    public var maxInstances = 1000
    /// The most instances waiting for the model at once; beyond it requests get a 503.
    public var maxQueuedRows = 20_000
    /// How long a request may wait in the queue before it is answered with a 503, in seconds.
    public var queueTimeoutSeconds = 10.0
    /// What an unknown feature does.
    public var unknownFields = UnknownFieldPolicy.reject
    /// How often to look for a new checkpoint, in seconds, or nil to reload only on request.
    public var reloadPollSeconds: Double?
    /// How long an idle keep-alive connection stays open, in seconds.
    public var idleTimeoutSeconds = 60.0
    /// The model's name in the KServe v2 paths (`/v2/models/<name>/…`), or nil for the
    /// checkpoint's zoo entry (`dtrn`, `mmoe`, …).
    public var modelName: String?

    /// The defaults.
    public init() {}

    /// Checks that every limit is positive.
    public func validate() throws {
        var positive: [(String, Double)] = [
            ("max batch rows", Double(maxBatchRows)), ("max body bytes", Double(maxBodyBytes)),
            ("discarded body bytes", Double(discardedBodyBytes)),
            ("max instances", Double(maxInstances)), ("max queued rows", Double(maxQueuedRows)),
            ("queue timeout", queueTimeoutSeconds), ("idle timeout", idleTimeoutSeconds),
        ]
        if let reloadPollSeconds { positive.append(("reload interval", reloadPollSeconds)) }
        if let (name, _) = positive.first(where: { !($0.1 > 0) }) {
            throw ServingError.configuration("\(name) must be positive")
        }
        guard maxWaitMilliseconds >= 0 else { throw ServingError.configuration("max wait must not be negative") }
        if let modelName, modelName.isEmpty || modelName.contains("/") {
            throw ServingError.configuration("model name must be non-empty and without '/', found '\(modelName)'")
        }
        guard (0...65535).contains(port) else { throw ServingError.configuration("port must be in 0...65535, found \(port)") }
    }
}
