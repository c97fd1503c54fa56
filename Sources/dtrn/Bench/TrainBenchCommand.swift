import ArgumentParser
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
            let rate = bench.measure { loop.step() }
            let flops = bench.flops(over: bench.dataset.train)
            var result = bench.result(benchmark: "train", samplesPerSecond: rate, flopsPerSample: flops.dense?.training,
                                      realPositionFlopsPerSample: flops.realPositions?.training,
                                      parameters: loop.model.parameterCount)
            if let aucEpochs {
                var fresh = try TrainingLoop(bench)
                for _ in 0..<(aucEpochs * fresh.iterator.batchCount) { _ = fresh.step() }
                let report = Evaluator().evaluate(fresh.model, split: bench.dataset.test, schema: bench.dataset.schema, name: "test")
                result.testAUC = Dictionary(uniqueKeysWithValues: report.tasks.compactMap { task in task.auc.map { (task.name, $0) } })
                result.aucEpochs = aucEpochs
            }
            try bench.print(result)
        }
    }
}

/// The trainer's optimisation step without its schedule, clipping, progress or checkpoints:
/// the next shuffled batch through the model, the multi-task loss, backward, Adam.
struct TrainingLoop {
    /// The model trained.
    let model: MultiTaskModel
    /// The batches of the training split, shuffled per epoch.
    private(set) var iterator: BatchIterator
    private let optimizer: Adam
    private let loss: MultiTaskLoss
    private let weighting: TaskWeighting
    private var batch: Batch
    private var epoch = 0

    /// A loop over a fresh model with Adam at the configured learning rate and weight decay.
    init(_ bench: ModelBenchmark) throws {
        let config = bench.trainingConfig
        model = try bench.makeModel()
        weighting = TaskWeighting(tasks: bench.layout.tasks.count, learned: config.uncertaintyWeighting)
        optimizer = Adam(parameters: model.parameters() + weighting.parameters(), learningRate: config.learningRate,
                         weightDecay: config.weightDecay)
        loss = MultiTaskLoss(tasks: bench.layout.tasks, taskWeights: config.taskWeights)
        iterator = BatchIterator(split: bench.dataset.train, schema: bench.dataset.schema, batchSize: config.batchSize,
                                 shuffle: true, seed: config.seed)
        batch = iterator.makeBatch()
        model.train()
    }

    /// Trains on the next batch; returns its size.
    mutating func step() -> Int {
        let size = iterator.nextCycling(into: &batch, epoch: &epoch)
        let data = TrainingBatch(batch)
        let predictions = model(data.inputs)
        weighting.total(loss(predictions, labels: data.labels, labelWeights: data.weights),
                        taskWeights: loss.taskWeights, auxiliary: predictions.auxiliaryLoss).backward()
        optimizer.step()
        return size
    }
}
