import Hummingbird
import ServiceLifecycle

/// An HTTP scoring server for one checkpoint (see ``ScoringEndpoints`` for the endpoints):
/// Hummingbird answers requests, a ``BatchScorer`` runs the model on micro-batches, a
/// ``ModelSlot`` holds the checkpoint and swaps in new ones, and, with
/// ``ServingConfiguration/reloadPollSeconds``, a ``CheckpointWatcher`` reloads on change.
public struct ScoringServer: Sendable {
    /// The settings.
    public let configuration: ServingConfiguration
    /// The served checkpoint.
    public let slot: ModelSlot
    /// The metrics shown at `GET /metrics`.
    public let metrics: ServingMetrics
    private let scorer: BatchScorer
    private let log: @Sendable (String) -> Void

    /// A server for the checkpoint at `path` (a checkpoint folder, or a run folder: its best
    /// checkpoint); `log` receives one line per reload.
    public init(checkpoint path: String, configuration: ServingConfiguration, log: @escaping @Sendable (String) -> Void = { _ in }) throws {
        try configuration.validate()
        self.configuration = configuration
        metrics = ServingMetrics()
        slot = try ModelSlot(path: path, unknownFields: configuration.unknownFields, metrics: metrics)
        scorer = BatchScorer(configuration: configuration, metrics: metrics)
        self.log = log
    }

    /// The application: the HTTP server with the scorer (and the watcher) as services that
    /// stop after it on graceful shutdown, once the requests in flight are answered.
    /// `onListening` receives the bound port (useful with port 0).
    public func application(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        let endpoints = ScoringEndpoints(configuration: configuration, slot: slot, scorer: scorer, metrics: metrics)
        var services: [any Service] = [scorer]
        if let interval = configuration.reloadPollSeconds {
            services.append(CheckpointWatcher(slot: slot, interval: interval, log: log))
        }
        return Application(
            router: endpoints.router(),
            server: .http1(configuration: .init(idleTimeout: .milliseconds(Int64(configuration.idleTimeoutSeconds * 1000)))),
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port), serverName: "dtrn"),
            services: services,
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? configuration.port) })
    }

    /// Serves until SIGTERM or SIGINT, then shuts down gracefully: stops accepting
    /// connections, answers the requests in flight, and stops the scorer.
    public func run(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        try await application(onListening: onListening).runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }
}
