import ArgumentParser
import Distributed
import Foundation
import Models
import RecData
import Tensor
import Training

/// The options of `dtrn bench train` and `dtrn bench infer`: data and model as for
/// `dtrn train`, and how long to measure.
struct ModelBenchOptions: ParsableArguments {
    @OptionGroup var run: RunOptions

    @Option(help: "Seconds of untimed batches before measuring.")
    var warmupSeconds = 1.0

    @Option(help: "Timed repetitions; their median and extremes are reported.")
    var repetitions = 5

    @Option(help: "Least seconds per repetition (it runs whole batches).")
    var seconds = 2.0

    @Option(help: "fp32 peak GFLOP/s of one core (default: an AMD EPYC Zen 4 core, 32 FLOP per cycle at about 3.7 GHz).")
    var peakGflopsPerCore = 117.0

    @Option(help: "bf16 peak GFLOP/s of one core (default: twice the fp32 peak, as vdpbf16ps does 32 multiply-adds where an fp32 FMA does 16).")
    var bf16PeakGflopsPerCore: Double?

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func validate() throws {
        guard repetitions >= 1, seconds > 0, warmupSeconds >= 0 else {
            throw ValidationError("--repetitions must be at least 1, --seconds positive and --warmup-seconds not negative")
        }
    }
}

/// What the model benchmarks share: the loaded data, the configs, the timing loop and the
/// report.
struct ModelBenchmark {
    /// The options given.
    let options: ModelBenchOptions
    /// The model settings (preset, config file and options applied).
    let modelConfig: ModelConfig
    /// The training settings.
    let trainingConfig: TrainingConfig
    /// The data.
    let dataset: EncodedDataset
    /// The model-side view of the data.
    let layout: FeatureLayout
    /// Kernel worker threads (of each process).
    let threads: Int
    /// The processes measuring together (one unless started by `mpirun`).
    let group: ProcessGroup

    /// Loads the data the options name and sets the thread count.
    init(options: ModelBenchOptions) throws {
        self.options = options
        (modelConfig, trainingConfig) = try options.run.configs()
        let group = ProcessGroup.join()
        self.group = group
        threads = trainingConfig.threads ?? group.defaultThreadCount
        Parallelism.setThreadCount(threads)
        PrecisionOption.apply(trainingConfig.precision ?? .fp32)
        let source = try options.run.dataSource(), quiet = options.json || !group.isLeader
        dataset = try group.leaderFirst { try source.load(reporter: ProgressReporter(quiet: quiet)).dataset }
        layout = FeatureLayout(dataset.schema)
    }

    /// A model with freshly initialised weights (always the same for one seed).
    func makeModel() throws -> MultiTaskModel {
        try ModelZoo.make(modelConfig, layout: layout, seed: trainingConfig.seed)
    }

    /// Samples per second of `batch` (which processes one batch and returns its size): batches
    /// for the warm-up time untimed, then `repetitions` timed runs of at least `seconds` each
    /// (in a job of several processes, ended on rank 0's clock).
    func measure(_ batch: () -> Int) -> Spread {
        let warmupStart = DispatchTime.now()
        repeat { _ = batch() } while group.leaderDecides(Self.seconds(since: warmupStart) < options.warmupSeconds)
        let rates = (0..<options.repetitions).map { _ in
            let start = DispatchTime.now()
            var samples = 0
            repeat { samples += batch() } while group.leaderDecides(Self.seconds(since: start) < options.seconds)
            return Double(samples) / Self.seconds(since: start)
        }
        return Spread(rates)
    }

    /// The model's work per sample as dense products and, for DTRN, as the products its
    /// encoder runs on the real positions of `split`'s sequences (nil when not counted).
    func flops(over split: EncodedSplit) -> (dense: ModelFlops?, realPositions: ModelFlops?) {
        let dense = ModelFlops(config: modelConfig, layout: layout)
        guard modelConfig.model == "dtrn", !split.sequences.isEmpty else { return (dense, nil) }
        let extents = split.sequences.map { ModelFlops.SequenceExtent(lengths: $0.lengths) }
        return (dense, ModelFlops(config: modelConfig, layout: layout, extents: extents))
    }

    /// The report of one measurement at `flopsPerSample` (nil when not counted for this model)
    /// and, when given, `realPositionFlopsPerSample`.
    func result(benchmark: String, samplesPerSecond: Spread, flopsPerSample: Double?, realPositionFlopsPerSample: Double? = nil,
                parameters: Int) -> ModelBenchResult {
        let peak = options.peakGflopsPerCore * Double(threads * group.size)
        let bf16Peak = trainingConfig.precision == .bf16
            ? (options.bf16PeakGflopsPerCore ?? 2 * options.peakGflopsPerCore) * Double(threads * group.size) : nil
        let gflops = flopsPerSample.map { $0 * samplesPerSecond.median / 1e9 }
        let realGflops = realPositionFlopsPerSample.map { $0 * samplesPerSecond.median / 1e9 }
        let name = modelConfig.model == "dtrn" ? "dtrn-\(modelConfig.backbone)" : modelConfig.model
        return ModelBenchResult(
            benchmark: benchmark, implementation: "dtrn", data: options.run.data, model: name, preset: options.run.preset,
            precision: (trainingConfig.precision ?? .fp32).rawValue, batchSize: trainingConfig.batchSize,
            processes: group.size, threads: threads, repetitions: options.repetitions,
            secondsPerRepetition: options.seconds, samplesPerSecond: samplesPerSecond, parameters: parameters,
            flopsPerSample: flopsPerSample, gflops: gflops, peakGflops: peak, peakFraction: gflops.map { $0 / peak },
            bf16PeakGflops: bf16Peak, bf16PeakFraction: bf16Peak.flatMap { peak in gflops.map { $0 / peak } },
            realPositionFlopsPerSample: realPositionFlopsPerSample, realPositionGflops: realGflops,
            realPositionPeakFraction: realGflops.map { $0 / peak },
            peakResidentMegabytes: peakResidentMegabytes())
    }

    /// Prints `result` as JSON or text, as the options ask (on rank 0 only).
    func print(_ result: ModelBenchResult) throws {
        guard group.isLeader else { return }
        if options.json { try printJSON(result) } else { Swift.print(result.text) }
    }

    private static func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }
}

/// The median and extremes of repeated measurements.
struct Spread: Encodable {
    var median: Double
    var min: Double
    var max: Double

    /// The spread of `values` (not empty); the median of an even count is the upper middle one.
    init(_ values: [Double]) {
        let sorted = values.sorted()
        median = sorted[sorted.count / 2]
        min = sorted.first!
        max = sorted.last!
    }
}

/// One model benchmark's report. `bench/pytorch/bench.py` writes the same keys.
struct ModelBenchResult: Encodable {
    /// `train` or `infer`.
    var benchmark: String
    /// Whose code ran: `dtrn` here.
    var implementation: String
    var data: String
    var model: String
    var preset: String?
    /// The operands of the matrix products: `fp32` or `bf16`.
    var precision: String
    var batchSize: Int
    /// The processes of a data-parallel run (1 without `mpirun`).
    var processes: Int
    /// Kernel threads of each process.
    var threads: Int
    var repetitions: Int
    var secondsPerRepetition: Double
    var samplesPerSecond: Spread
    var parameters: Int
    /// Forward FLOPs for `infer`, forward and backward for `train` (see ``ModelFlops``).
    var flopsPerSample: Double?
    /// Achieved GFLOP/s at the median rate.
    var gflops: Double?
    /// The fp32 peak of the cores used.
    var peakGflops: Double
    var peakFraction: Double?
    /// With bf16 products: the bf16 peak of the cores used, and the share of it achieved.
    var bf16PeakGflops: Double?
    var bf16PeakFraction: Double?
    /// DTRN: the FLOPs of its products on the sequences' real positions (the split's mean
    /// lengths), which is what its encoder computes; the rate and share of the peak in them.
    var realPositionFlopsPerSample: Double?
    var realPositionGflops: Double?
    var realPositionPeakFraction: Double?
    /// The process's peak resident memory, data included.
    var peakResidentMegabytes: Int
    /// Test AUC per task after a short training, when asked for.
    var testAUC: [String: Double]?
    /// The epochs of that training.
    var aucEpochs: Int?
    /// Under `mpirun`: the communication of one step extrapolated to larger jobs.
    var communication: [CommunicationEstimate]?

    /// One step's communication in a job of `processes` processes (see ``CommunicationModel``).
    struct CommunicationEstimate: Encodable {
        var processes: Int
        var megabytesSentPerStep: Double
        var millisecondsAt25Gbit: Double
        var millisecondsAt100Gbit: Double
    }

    /// A few readable lines.
    var text: String {
        func rate(_ v: Double) -> String { String(format: "%.0f", v) }
        var lines = [
            "\(benchmark) \(model)\(preset.map { " (preset \($0))" } ?? "") on \(data), \(precision), batch \(batchSize), "
                + (processes > 1 ? "\(processes) processes × \(threads) threads" : "\(threads) threads"),
            "  samples/s   median \(rate(samplesPerSecond.median))  min \(rate(samplesPerSecond.min))  max \(rate(samplesPerSecond.max))"
                + "  (\(repetitions) × \(secondsPerRepetition) s)",
        ]
        if let flopsPerSample, let gflops, let peakFraction {
            lines.append(String(format: "  compute     %.3f MFLOP/sample as dense products, %.1f GFLOP/s = %.1f %% of the %.0f GFLOP/s fp32 peak",
                                flopsPerSample / 1e6, gflops, 100 * peakFraction, peakGflops)
                         + (bf16PeakFraction.map { String(format: ", %.1f %% of the %.0f GFLOP/s bf16 peak", 100 * $0, bf16PeakGflops!) } ?? ""))
        }
        if let realPositionFlopsPerSample, let realPositionGflops, let realPositionPeakFraction {
            lines.append(String(format: "              %.3f MFLOP/sample on real positions, %.1f GFLOP/s = %.1f %% of the peak",
                                realPositionFlopsPerSample / 1e6, realPositionGflops, 100 * realPositionPeakFraction))
        }
        lines.append("  memory      peak RSS \(peakResidentMegabytes) MB; \(parameters) parameters")
        for estimate in communication ?? [] {
            lines.append(String(format: "  comm model  %2d processes: %.2f MB sent per process per step, %.2f ms at 25 Gbit/s, %.2f ms at 100 Gbit/s",
                                estimate.processes, estimate.megabytesSentPerStep, estimate.millisecondsAt25Gbit,
                                estimate.millisecondsAt100Gbit))
        }
        if let testAUC, let aucEpochs {
            let shown = testAUC.sorted { $0.key < $1.key }.map { String(format: "%@ %.4f", $0.key, $0.value) }
            lines.append("  test AUC    \(shown.joined(separator: "  ")) after \(aucEpochs) epoch(s)")
        }
        return lines.joined(separator: "\n")
    }
}

extension BatchIterator {
    /// Fills `batch` with the next rows, starting epoch `epoch + 1` when the current one is
    /// exhausted; returns the global batch's size.
    mutating func nextCycling(into batch: inout Batch, epoch: inout Int) -> Int {
        if !next(into: &batch) {
            epoch += 1
            startEpoch(epoch)
            _ = next(into: &batch)
        }
        return batch.globalSize
    }
}
