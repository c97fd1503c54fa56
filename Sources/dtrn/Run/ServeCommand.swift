import ArgumentParser
import Foundation
import Serving
import Tensor

/// `dtrn serve`: an HTTP scoring server for a checkpoint.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a checkpoint over HTTP: per-task scores for JSON instances, micro-batched.",
        discussion: """
        Endpoints: POST /v1/score with {"instances": [{"<feature>": value, …, "<sequence>": [ids…]}, …]} \
        answers {"checkpoint": id, "predictions": [{"<task>": score, …}, …]} in the request's order; \
        GET /v1/model describes the model, its tasks and fields and the checkpoint; GET /healthz; \
        GET /metrics (Prometheus text); POST /v1/reload swaps in the checkpoint now at --checkpoint. \
        The KServe v2 / Open Inference Protocol is served beside them: GET /v2/health/live, /v2/health/ready, \
        /v2, /v2/models/<name>[/ready], and POST /v2/models/<name>/infer with the model's tensors or with raw \
        rows (every input BYTES [N], one per feature column); <name> is --model-name. \
        Instances are encoded with the checkpoint's vocabularies and transforms, so scores equal \
        `dtrn predict` on the same rows. Bad input is answered with a 4xx and {"error": "…"}. \
        SIGTERM or SIGINT stops the server after answering the requests in flight.
        """)

    @Option(help: "A checkpoint folder, or a run folder (its best checkpoint).")
    var checkpoint: String

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on (0: any free port).")
    var port = 8080

    @Option(help: "Worker threads of the model's kernels (default: all cores).")
    var threads: Int?

    @OptionGroup var precision: PrecisionOption

    @Option(help: "The most instances scored in one model call.")
    var maxBatch = ServingConfiguration().maxBatchRows

    @Option(help: "Milliseconds the first queued request waits for others to join its batch.")
    var maxWaitMs = ServingConfiguration().maxWaitMilliseconds

    @Option(help: "The largest request body in bytes.")
    var maxBodyBytes = ServingConfiguration().maxBodyBytes

    @Option(help: "The most instances in one request.")
    var maxInstances = ServingConfiguration().maxInstances

    @Option(help: "The most instances waiting for the model before requests are refused with a 503.")
    var maxQueued = ServingConfiguration().maxQueuedRows

    @Option(help: "Seconds a request may wait for the model before it is answered with a 503.")
    var queueTimeout = ServingConfiguration().queueTimeoutSeconds

    @Option(help: "Unknown features in an instance: reject (a 422) or ignore.")
    var unknownFields = ServingConfiguration().unknownFields

    @Flag(help: "Reload when the checkpoint at --checkpoint changes (a run folder's best one included).")
    var reloadOnChange = false

    @Option(help: "Seconds between looks for a changed checkpoint with --reload-on-change.")
    var reloadInterval = 2.0

    @Option(help: "Seconds an idle keep-alive connection stays open.")
    var idleTimeout = ServingConfiguration().idleTimeoutSeconds

    @Option(help: "The model's name in the KServe v2 paths /v2/models/<name>/… (default: the zoo entry, e.g. mmoe).")
    var modelName: String?

    func run() async throws {
        var server: ScoringServer?
        try reportingErrors {
            Parallelism.setThreadCount(threads ?? ProcessInfo.processInfo.activeProcessorCount)
            precision.apply()
            server = try ScoringServer(checkpoint: checkpoint, configuration: servingConfiguration()) { line in
                FileHandle.standardError.write(Data("\(line)\n".utf8))
            }
        }
        guard let server else { return }
        let model = server.slot.current.metadata
        do {
            try await server.run { [host] port in
                let line = "serving \(model.model) on \(model.dataset), checkpoint \(model.checkpoint.id), \(model.precision) products, at http://\(host):\(port)\n"
                FileHandle.standardOutput.write(Data(line.utf8))
            }
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }

    private func servingConfiguration() -> ServingConfiguration {
        var c = ServingConfiguration()
        (c.host, c.port) = (host, port)
        (c.maxBatchRows, c.maxWaitMilliseconds) = (maxBatch, maxWaitMs)
        (c.maxBodyBytes, c.maxInstances, c.maxQueuedRows) = (maxBodyBytes, maxInstances, maxQueued)
        c.queueTimeoutSeconds = queueTimeout
        c.unknownFields = unknownFields
        c.reloadPollSeconds = reloadOnChange ? reloadInterval : nil
        c.idleTimeoutSeconds = idleTimeout
        c.modelName = modelName
        return c
    }
}

extension ServingConfiguration.UnknownFieldPolicy: ExpressibleByArgument {}
