import ArgumentParser
import Foundation
import NN
import Tensor

/// `dtrn bench mlp-step`: the cost of one training step (forward, backward, Adam) of an
/// MLP against its forward pass alone — the overhead of the autograd tape and optimizer.
struct MLPStepBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mlp-step",
        abstract: "Time forward and forward+backward+Adam of an MLP (default 256-128-64-1, batch 1024).")

    @Option(help: "Layer widths, input first.")
    var widths: [Int] = [256, 128, 64, 1]

    @Option(help: "Samples per batch.")
    var batch = 1024

    @Option(help: "Threads for OpenBLAS and the Swift kernels (default: all cores).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(help: "Print JSON instead of text.")
    var json = false

    struct Result: Encodable {
        var widths: [Int]
        var batch: Int
        var threads: Int
        var forwardMicroseconds: Double
        var trainStepMicroseconds: Double
        var ratio: Double
        var trainSamplesPerSecond: Double
    }

    func run() throws {
        Parallelism.setThreadCount(threads)
        var generator = RandomGenerator(seed: 1)
        let mlp = MLP(inputSize: widths[0], hidden: Array(widths.dropFirst()), activateLast: false, generator: &generator)
        let optimizer = Adam(parameters: mlp.parameters())
        let x = Tensor(shape: [batch, widths[0]], values: (0..<(batch * widths[0])).map { _ in generator.nextUniform() - 0.5 })
        let y = Tensor(shape: [batch, widths.last!], values: (0..<(batch * widths.last!)).map { _ in Float(generator.nextInt(below: 2)) })
        let watch = Stopwatch(minimumSeconds: 0.2, repetitions: 7)
        let forward = watch.measure { _ = Autograd.inference { mlp(x) } }
        let step = watch.measure {
            Tensor.binaryCrossEntropyWithLogits(mlp(x), targets: y).sum().backward()
            optimizer.step()
        }
        let result = Result(widths: widths, batch: batch, threads: threads, forwardMicroseconds: forward.median * 1e6,
                            trainStepMicroseconds: step.median * 1e6, ratio: step.median / forward.median,
                            trainSamplesPerSecond: Double(batch) / step.median)
        if json {
            try printJSON(result)
        } else {
            let shape = widths.map(String.init).joined(separator: "-")
            print("MLP \(shape) batch \(batch), \(threads) threads: "
                  + String(format: "forward %.1f µs, train step %.1f µs (%.2fx forward), %.0f samples/s",
                           result.forwardMicroseconds, result.trainStepMicroseconds, result.ratio, result.trainSamplesPerSecond))
        }
    }
}
