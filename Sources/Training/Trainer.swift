import Distributed
import Foundation
import Models
import NN
import RecData
import Tensor

/// What one epoch did, as written to `metrics.jsonl`.
public struct EpochRecord: Codable, Sendable, Equatable {
    public var epoch: Int
    public var step: Int
    /// The mean training loss of the epoch (task-weighted, with auxiliary terms).
    public var trainLoss: Double
    /// The learning rate of the epoch's last step.
    public var learningRate: Float
    public var seconds: Double
    public var samplesPerSecond: Double
    public var validation: EvaluationReport
    /// Whether this epoch is the best so far by the monitored metric.
    public var isBest: Bool
}

/// Trains a multi-task model on an encoded dataset: multi-task loss with masks and task
/// weights, lazy sparse embedding updates, learning-rate schedule, gradient clipping,
/// validation after every epoch, early stopping, and an atomic checkpoint per epoch from
/// which `resume()` continues bit for bit.
///
/// In a data-parallel job (a ``ProcessGroup`` of several processes) every process runs the
/// same trainer on its part of each global batch and takes the same ``TrainingStep``;
/// validation is scored in parts and its metrics computed exactly on the whole split; rank 0
/// alone writes checkpoints and metrics. The global batch order depends on the seed alone, so
/// a run resumes under any number of processes.
///
/// With diagnostics on (``TrainingConfig/diagnosticsEvery``), every K-th step is preceded by
/// one forward and backward per task that measure gradient conflict (``GradientConflictMonitor``)
/// into `diagnostics.jsonl`; they leave no gradient, batch-norm statistic or dropout state
/// behind, so the run's weights are those of a run without them. Diagnostics, PCGrad and
/// GradNorm are single-process: a data-parallel job with any of them is refused.
public final class Trainer {
    /// The model trained.
    public let model: MultiTaskModel
    /// The data.
    public let dataset: EncodedDataset
    /// The settings.
    public let config: TrainingConfig
    /// The run folder receiving checkpoints and metrics.
    public let run: RunDirectory
    /// The combination of task losses.
    public let weighting: TaskWeighting
    /// The optimiser of the model and the weighting.
    public let optimizer: Optimizer
    private var template: Checkpoint
    private var progress = Checkpoint.RunProgress(epoch: 0, step: 0, bestValue: nil, bestEpoch: nil, epochsWithoutImprovement: 0)
    private var records: [EpochRecord] = []
    private var resumed = false
    private var stepLosses = StepLossLog()
    private let reporter: ProgressReporter
    private let step: TrainingStep
    /// The processes training together.
    public let group: ProcessGroup
    /// The gradient-conflict measure, when diagnostics are on.
    let conflictMonitor: GradientConflictMonitor?
    private let diagnosticPass: TaskGradientPass?

    /// A trainer of a fresh model built from `modelConfig` for `dataset`. Sets the process's
    /// matrix precision (`Gemm.setPrecision`) to the config's.
    public init(
        dataset: EncodedDataset, modelConfig: ModelConfig, config: TrainingConfig, dataSource: String,
        synthetic: SyntheticConfig? = nil, run: RunDirectory, reporter: ProgressReporter = ProgressReporter(),
        group: ProcessGroup = .single
    ) throws {
        let tasks = dataset.schema.tasks.count
        if let w = config.taskWeights, w.count != tasks {
            throw TrainingError.invalidConfig("\(w.count) task weights for \(tasks) tasks")
        }
        guard config.epochs >= 1, config.batchSize >= 1 else {
            throw TrainingError.invalidConfig("epochs and batch size must be positive")
        }
        let lastBatch = dataset.train.rowCount % config.batchSize
        if group.isDistributed && (config.batchSize < group.size || (lastBatch > 0 && lastBatch < group.size)) {
            throw TrainingError.invalidConfig(
                "with \(group.size) processes every batch needs at least one row per process, but batch size \(config.batchSize) "
                + "on \(dataset.train.rowCount) training rows gives a batch of \(min(config.batchSize, lastBatch == 0 ? config.batchSize : lastBatch)) "
                + "rows; choose another batch size")
        }
        try Self.validateTaskByTaskOptions(config, model: modelConfig.model, group: group)
        Gemm.setPrecision(config.precision ?? .fp32, kernel: Gemm.bfloat16Kernel)
        model = try ModelZoo.make(modelConfig, layout: FeatureLayout(dataset.schema), seed: config.seed)
        weighting = TaskWeighting(tasks: tasks, config: config)
        optimizer = try Self.makeOptimizer(config, parameters: TrainedState(model: model, auxiliary: weighting).parameters())
        self.dataset = dataset
        self.config = config
        self.run = run
        self.reporter = reporter
        self.group = group
        let loss = MultiTaskLoss(tasks: model.layout.tasks, taskWeights: config.taskWeights)
        let sharing = model.parameterSharing
        if config.taskWeighting == "gradnorm" && sharing.lastSharedLayer.isEmpty {
            throw TrainingError.invalidConfig("GradNorm needs parameters the tasks share; model '\(modelConfig.model)' shares none")
        }
        let surgery = config.gradientSurgery == "pcgrad" ? GradientSurgery(shared: sharing.sharedSlices, seed: config.seed) : nil
        step = TrainingStep(model: model, weighting: weighting, optimizer: optimizer, loss: loss,
                            clipNorm: config.clipNorm, surgery: surgery, group: group)
        if config.diagnosticsEvery != nil {
            conflictMonitor = GradientConflictMonitor(sharing: sharing, tasks: model.layout.tasks.map(\.name))
            diagnosticPass = TaskGradientPass(model: model, loss: loss, weighting: weighting,
                                              parameters: optimizer.parameters.map(\.tensor))
        } else {
            (conflictMonitor, diagnosticPass) = (nil, nil)
        }
        template = Checkpoint(
            id: "", createdAt: "", model: modelConfig, training: config, dataSource: dataSource, schema: dataset.schema,
            encoder: dataset.encoder, synthetic: synthetic, progress: progress)
        if let communicator = group.communicator { try verifyReplicasAgree(on: communicator) }
    }

    /// Refuses unknown surgery or weighting names, combinations that do not go together, and
    /// the options that take each task's gradient apart in a data-parallel job.
    private static func validateTaskByTaskOptions(_ config: TrainingConfig, model: String, group: ProcessGroup) throws {
        guard [nil, "none", "pcgrad"].contains(config.gradientSurgery) else {
            throw TrainingError.invalidConfig("gradient surgery must be none or pcgrad, found '\(config.gradientSurgery!)'")
        }
        guard [nil, "fixed", "gradnorm"].contains(config.taskWeighting) else {
            throw TrainingError.invalidConfig("task weighting must be fixed or gradnorm, found '\(config.taskWeighting!)'")
        }
        if let k = config.diagnosticsEvery, k < 1 {
            throw TrainingError.invalidConfig("diagnostics every \(k) steps: must be at least 1")
        }
        if let alpha = config.gradNormAlpha, !(alpha >= 0 && alpha.isFinite) {
            throw TrainingError.invalidConfig("GradNorm's alpha must be a non-negative number, found \(alpha)")
        }
        let gradNorm = config.taskWeighting == "gradnorm", pcgrad = config.gradientSurgery == "pcgrad"
        if gradNorm && config.uncertaintyWeighting {
            throw TrainingError.invalidConfig("GradNorm and uncertainty weighting both learn the task weights; choose one")
        }
        if (gradNorm || pcgrad) && model == "aitm" {
            throw TrainingError.invalidConfig("PCGrad and GradNorm split the loss by task; AITM's calibrator term belongs to no task")
        }
        if group.isDistributed && (gradNorm || pcgrad || config.diagnosticsEvery != nil) {
            let what = [(config.diagnosticsEvery != nil, "--diagnostics"), (pcgrad, "--gradient-surgery pcgrad"),
                        (gradNorm, "--task-weighting gradnorm")].filter(\.0).map(\.1).joined(separator: ", ")
            throw TrainingError.invalidConfig("\(what) need each task's gradient apart, which is not summed over processes: "
                                              + "run on one process (without mpirun)")
        }
    }

    /// Refuses a job whose processes were given different data, schema, model or training
    /// settings, or whose fresh weights differ (the thread count and run folder may differ).
    private func verifyReplicasAgree(on communicator: Communicator) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        func json<Value: Encodable>(_ value: Value) throws -> String { String(decoding: try encoder.encode(value), as: UTF8.self) }
        var training = config
        training.threads = nil
        let weights = optimizer.parameters.map { _, tensor in
            String(Checksum.of(UnsafeRawBufferPointer(start: tensor.pointer, count: tensor.count * MemoryLayout<Float>.stride)), radix: 16)
        }
        let splits = [("train", dataset.train), ("validation", dataset.validation), ("test", dataset.test)]
        try ReplicaConsistency.verify([
            ("data", "\(template.dataSource): " + splits.map { "\($0): \($1.fingerprint)" }.joined(separator: "; ")),
            ("schema", try json(dataset.schema)),
            ("model config", try json(template.model)),
            ("training config", try json(training)),
            ("initial weights", weights.joined(separator: " ")),
        ], on: communicator)
    }

    /// The epochs completed so far.
    public var history: [EpochRecord] { records }

    /// Continues from the run folder's latest checkpoint, which must have been written by
    /// a run of the same model, data and settings.
    public func resume() throws {
        guard let index = try run.index() else {
            throw TrainingError.checkpoint(path: run.url.path, reason: "nothing to resume: no run.json")
        }
        let folder = run.url.appendingPathComponent(index.latest)
        let saved = try Checkpoint.read(folder)
        guard saved.model == template.model, saved.schema == template.schema, saved.training.seed == config.seed,
              saved.training.batchSize == config.batchSize, saved.training.gradientSurgery == config.gradientSurgery,
              saved.training.taskWeighting == config.taskWeighting, saved.training.gradNormAlpha == config.gradNormAlpha else {
            throw TrainingError.checkpoint(path: folder.path, reason: "was written for another model, data or seed; cannot resume")
        }
        guard (saved.training.precision ?? .fp32) == (config.precision ?? .fp32) else {
            let precision = (saved.training.precision ?? .fp32).rawValue
            throw TrainingError.checkpoint(path: folder.path, reason: "was trained with \(precision) matrix products; resume with --precision \(precision)")
        }
        try TrainedState(model: model, auxiliary: weighting).loadParameters(from: folder.appendingPathComponent(Checkpoint.modelFile))
        try optimizer.loadState(from: folder.appendingPathComponent(Checkpoint.optimizerFile))
        progress = saved.progress
        records = try Self.readRecords(run.metricsFile).filter { $0.epoch <= progress.epoch }
        resumed = true
        try stepLosses.resume(from: run.stepsFile, upTo: progress.step)
        reporter.note("resuming \(run.url.path) after epoch \(progress.epoch) (step \(progress.step))")
    }

    /// Trains until the last epoch or until early stopping; returns the per-epoch records. A step
    /// whose loss is not finite stops training with ``TrainingError/nonFiniteLoss(step:epoch:batch:of:tasks:)``
    /// before that epoch's checkpoint, so the run folder's latest checkpoint stays the last good one.
    @discardableResult
    public func fit() throws -> [EpochRecord] {
        try group.leaderOnly { try FileManager.default.createDirectory(at: run.url, withIntermediateDirectories: true) }
        var iterator = BatchIterator(split: dataset.train, schema: dataset.schema, batchSize: config.batchSize,
                                     shuffle: true, seed: config.seed, shard: BatchShard(index: group.rank, count: group.size))
        let schedule = try LearningRateSchedule(config, stepsPerEpoch: iterator.batchCount)
        var batch = iterator.makeBatch()
        let dropouts = model.modules().compactMap { $0.module as? Dropout }
        let evaluator = Evaluator(group: group)
        // Diagnostics run on one process only (see validateTaskByTaskOptions).
        let diagnostics = try conflictMonitor.map { monitor in
            let log = try DiagnosticsLog(url: run.diagnosticsFile, keepingStepsBefore: resumed ? progress.step : nil)
            monitor.resume(from: log.kept)
            return log
        }
        while progress.epoch < config.epochs && !(config.patience > 0 && progress.epochsWithoutImprovement >= config.patience) {
            let epoch = progress.epoch + 1
            iterator.startEpoch(epoch)
            model.train()
            reporter.startEpoch("epoch \(epoch)/\(config.epochs)", batches: iterator.batchCount)
            stepLosses.startEpoch(batches: iterator.batchCount)
            let start = Date()
            var (samples, batches, lossSum) = (0, 0, 0.0)
            while iterator.next(into: &batch) {
                let reseed = { [progress, config] in
                    for (i, dropout) in dropouts.enumerated() {
                        dropout.reseed(config.seed &+ UInt64(progress.step) &* 0x9E37_79B9 &+ UInt64(i))
                    }
                }
                if let diagnostics, let monitor = conflictMonitor, let diagnosticPass, let k = config.diagnosticsEvery,
                   progress.step % k == 0 {
                    let found = diagnosticPass(TrainingBatch(batch), prepare: reseed, restoringBuffers: true)
                    try diagnostics.append(monitor.record(step: progress.step, epoch: epoch, gradients: found.gradients,
                                                          losses: found.losses))
                }
                reseed()
                optimizer.learningRate = schedule.rate(atStep: progress.step)
                let loss = step(batch, prepare: reseed)
                guard loss.isFinite else {
                    let tasks = zip(dataset.schema.tasks, step.lastTaskLosses).filter { !$1.isFinite }.map(\.0.name)
                    throw TrainingError.nonFiniteLoss(step: progress.step + 1, epoch: epoch, batch: batches + 1,
                                                      of: iterator.batchCount, tasks: tasks)
                }
                lossSum += Double(loss)
                progress.step += 1
                batches += 1
                stepLosses.add(Double(loss), step: progress.step, epoch: epoch, endOfEpoch: batches == iterator.batchCount)
                samples += batch.globalSize
                reporter.update(batch: batches, samples: samples, loss: lossSum / Double(batches))
            }
            let seconds = Date().timeIntervalSince(start)
            let validation = evaluator.evaluate(model, split: dataset.validation, schema: dataset.schema, name: "validation")
            let value = try validation.value(of: config.monitor)
            let improved = value.map { v in progress.bestValue.map { v > $0 } ?? true } ?? false
            progress.epoch = epoch
            if improved {
                progress.bestValue = value
                progress.bestEpoch = epoch
                progress.epochsWithoutImprovement = 0
            } else {
                progress.epochsWithoutImprovement += 1
            }
            records.append(EpochRecord(
                epoch: epoch, step: progress.step, trainLoss: lossSum / Double(max(1, batches)),
                learningRate: optimizer.learningRate, seconds: seconds,
                samplesPerSecond: Double(samples) / max(seconds, 1e-9), validation: validation, isBest: improved))
            try group.leaderOnly { try saveCheckpoint(epoch: epoch) }
            reporter.note(String(format: "epoch %d: train loss %.4f, %.0f samples/s, validation mean AUC %@%@", epoch,
                                 records.last!.trainLoss, records.last!.samplesPerSecond,
                                 validation.meanAUC.map { String(format: "%.4f", $0) } ?? "-", improved ? " (best)" : ""))
        }
        return records
    }

    /// Writes this epoch's checkpoint, the metrics file and the run index.
    private func saveCheckpoint(epoch: Int) throws {
        var checkpoint = template
        checkpoint.id = UUID().uuidString.lowercased()
        checkpoint.createdAt = ISO8601DateFormatter().string(from: Date())
        checkpoint.progress = progress
        let folder = run.checkpoint(epoch: epoch)
        try checkpoint.write(model: model, auxiliary: weighting, optimizer: optimizer, to: folder)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let lines = try records.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
        try run.replaceFile(run.metricsFile.lastPathComponent, with: Data((lines.joined(separator: "\n") + "\n").utf8))
        try run.replaceFile(run.stepsFile.lastPathComponent, with: stepLosses.jsonLines())
        let best = progress.bestEpoch.map { run.checkpoint(epoch: $0).lastPathComponent } ?? folder.lastPathComponent
        try run.writeIndex(.init(latest: folder.lastPathComponent, best: best))
    }

    /// The records of an existing metrics file (none when it does not exist).
    static func readRecords(_ url: URL) throws -> [EpochRecord] {
        guard let data = FileManager.default.contents(atPath: url.path) else { return [] }
        return try String(decoding: data, as: UTF8.self).split(separator: "\n").map {
            try JSONDecoder().decode(EpochRecord.self, from: Data($0.utf8))
        }
    }

    /// The optimiser `config.optimizer` over `parameters`.
    static func makeOptimizer(_ config: TrainingConfig, parameters: [(name: String, tensor: Tensor)]) throws -> Optimizer {
        let (lr, decay) = (config.learningRate, config.weightDecay)
        switch config.optimizer {
        case "adam": return Adam(parameters: parameters, learningRate: lr, weightDecay: decay)
        case "adamw": return AdamW(parameters: parameters, learningRate: lr, weightDecay: decay)
        case "sgd": return SGD(parameters: parameters, learningRate: lr, momentum: 0.9, weightDecay: decay)
        case "adagrad": return Adagrad(parameters: parameters, learningRate: lr, weightDecay: decay)
        default: throw TrainingError.invalidConfig("optimizer must be adam, adamw, sgd or adagrad, found '\(config.optimizer)'")
        }
    }
}
