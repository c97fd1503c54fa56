import ArgumentParser
import Export
import Foundation
import Models
import RecData
import Tensor
import Training

/// `dtrn bench infer`: scoring throughput of a model on a dataset's test split — batch
/// assembly, forward in inference mode and the per-task probabilities copied out — with
/// the achieved GFLOP/s against the cores' peak and peak memory.
struct InferBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "infer",
        abstract: "Measure scoring samples/s of a model over the test split (batches of the training batch size).",
        discussion: """
        Examples:
          dtrn bench infer --data census-income --preset rechub --model ple
          dtrn bench infer --json              # DTRN on the default synthetic data
          dtrn bench infer --model mmoe --export-onnx out   # also out/model.onnx and out/case.json
        """)

    @OptionGroup var options: ModelBenchOptions

    @Option(help: ArgumentHelp(
        "Also write the measured model as FOLDER/model.onnx and its first batch with the model's scores as FOLDER/case.json.",
        discussion: "The case file is what scripts/onnx-check.py reads, to time onnxruntime on the same model and rows.",
        valueName: "folder"))
    var exportOnnx: String?

    func run() throws {
        try reportingErrors {
            let bench = try ModelBenchmark(options: options)
            let model = try bench.makeModel()
            model.eval()
            let loss = MultiTaskLoss(tasks: bench.layout.tasks)
            var iterator = BatchIterator(split: bench.dataset.test, schema: bench.dataset.schema,
                                         batchSize: bench.trainingConfig.batchSize, shuffle: false,
                                         shard: BatchShard(index: bench.group.rank, count: bench.group.size))
            var batch = iterator.makeBatch()
            if let exportOnnx { try writeCase(model: model, loss: loss, bench: bench, folder: URL(fileURLWithPath: exportOnnx)) }
            var pass = 0
            let rate = bench.measure {
                let size = iterator.nextCycling(into: &batch, epoch: &pass)
                let inputs = TrainingBatch(batch).inputs
                _ = model.scores(inputs, loss: loss)
                return size
            }
            let flops = bench.flops(over: bench.dataset.test)
            try bench.print(bench.result(
                benchmark: "infer", samplesPerSecond: rate, flopsPerSample: flops.dense?.forward,
                realPositionFlopsPerSample: flops.realPositions?.forward, parameters: model.parameterCount))
        }
    }

    /// Writes the model's ONNX graph and the test split's first batch with its scores into `folder`.
    private func writeCase(model: MultiTaskModel, loss: MultiTaskLoss, bench: ModelBenchmark, folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var iterator = BatchIterator(split: bench.dataset.test, schema: bench.dataset.schema,
                                     batchSize: bench.trainingConfig.batchSize, shuffle: false)
        var batch = iterator.makeBatch()
        var pass = 0
        _ = iterator.nextCycling(into: &batch, epoch: &pass)
        let inputs = TrainingBatch(batch).inputs
        try ONNXExporter.write(model, to: folder.appendingPathComponent("model.onnx"))
        try ScoringCaseFile.write(inputs, scores: model.scores(inputs, loss: loss), layout: model.layout,
                                  to: folder.appendingPathComponent("case.json"))
    }
}
