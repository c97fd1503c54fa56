import ArgumentParser
import Distributed
import Foundation
import Models
import NN
import RecData
import Tensor
import Training

/// `dtrn bench train`: training throughput of a model on a dataset — batch assembly,
/// forward, multi-task loss, backward and Adam step — with the achieved GFLOP/s against the
/// cores' peak, peak memory, and optionally the test AUC of a short training.
struct TrainBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Measure training samples/s of a model (batch assembly, forward, loss, backward, Adam).",
        discussion: """
        Examples:
          dtrn bench train --data census-income --preset rechub --model mmoe
          dtrn bench train                     # DTRN on the default synthetic data
          dtrn bench train --data census-income --preset large --model ple --auc-epochs 1 --json
        """)

    @OptionGroup var options: ModelBenchOptions

    @Option(help: "Also train a fresh model for this many epochs and report its test AUC.")
    var aucEpochs: Int?

    func run() throws {
        try reportingErrors {
            let bench = try ModelBenchmark(options: options)
            guard bench.trainingConfig.optimizer == "adam" else {
                throw ValidationError("the training benchmark steps with Adam; found optimizer '\(bench.trainingConfig.optimizer)'")
            }
            var loop = try TrainingLoop(bench)
            let rate = bench.measure { loop.next() }
            let flops = bench.flops(over: bench.dataset.train)
            var result = bench.result(benchmark: "train", samplesPerSecond: rate, flopsPerSample: flops.dense?.training,
                                      realPositionFlopsPerSample: flops.realPositions?.training,
                                      parameters: loop.model.parameterCount)
            if let synchronizer = loop.step.synchronizer {
                let model = CommunicationModel(traffic: synchronizer.traffic, processes: bench.group.size,
                                               buckets: synchronizer.bucketCount)
                result.communication = [8, 16, 64].map { n in
                    .init(processes: n, megabytesSentPerStep: model.bytesSent(processes: n) / 1e6,
                          millisecondsAt25Gbit: 1e3 * model.seconds(processes: n, gigabitsPerSecond: 25),
                          millisecondsAt100Gbit: 1e3 * model.seconds(processes: n, gigabitsPerSecond: 100))
                }
            }
            if let aucEpochs {
                var fresh = try TrainingLoop(bench)
                for _ in 0..<(aucEpochs * fresh.iterator.batchCount) { _ = fresh.next() }
                let report = Evaluator(group: bench.group).evaluate(fresh.model, split: bench.dataset.test, schema: bench.dataset.schema, name: "test")
                result.testAUC = Dictionary(uniqueKeysWithValues: report.tasks.compactMap { task in task.auc.map { (task.name, $0) } })
                result.aucEpochs = aucEpochs
            }
            try bench.print(result)
        }
    }
}

/// The trainer's optimisation step without its schedule, clipping, progress or checkpoints:
/// the next shuffled batch (this process's part of it, under `mpirun`) through a
/// ``TrainingStep`` with Adam.
struct TrainingLoop {
    /// The step taken.
    let step: TrainingStep
    /// The batches of the training split, shuffled per epoch.
    private(set) var iterator: BatchIterator
    private var batch: Batch
    private var epoch = 0

    /// A loop over a fresh model with Adam at the configured learning rate and weight decay.
    init(_ bench: ModelBenchmark) throws {
        let config = bench.trainingConfig
        let model = try bench.makeModel()
        let weighting = TaskWeighting(tasks: bench.layout.tasks.count, config: config)
        let optimizer = Adam(parameters: model.parameters() + weighting.parameters(), learningRate: config.learningRate,
                             weightDecay: config.weightDecay)
        step = TrainingStep(model: model, weighting: weighting, optimizer: optimizer,
                            loss: MultiTaskLoss(tasks: bench.layout.tasks, taskWeights: config.taskWeights),
                            clipNorm: nil, group: bench.group)
        iterator = BatchIterator(split: bench.dataset.train, schema: bench.dataset.schema, batchSize: config.batchSize,
                                 shuffle: true, seed: config.seed,
                                 shard: BatchShard(index: bench.group.rank, count: bench.group.size))
        batch = iterator.makeBatch()
        model.train()
    }

    /// The model trained.
    var model: MultiTaskModel { step.model }

    /// Trains on the next batch; returns the global batch's size.
    mutating func next() -> Int {
        let size = iterator.nextCycling(into: &batch, epoch: &epoch)
        step(batch)
        return size
    }
}
