import ArgumentParser
import Foundation
import Tensor

/// `dtrn bench kernels`: GEMM (through OpenBLAS, or the bf16 kernel with `--precision bf16`)
/// and the Swift elementwise, reduction and gather kernels, as a table or JSON.
struct KernelBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernels",
        abstract: "Measure GEMM (forward and both backward products), elementwise and gather kernels.")

    @Option(help: "Threads for OpenBLAS and the Swift kernels (default: all cores).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Row counts M of the GEMM shapes.")
    var m: [Int] = [512, 1024, 4096]

    @Option(help: "Inner and output sizes K and N of the GEMM shapes (every pair is measured).")
    var sizes: [Int] = [64, 128, 256, 512]

    @Flag(help: "Print a JSON array instead of a table.")
    var json = false

    @Option(help: "Minimum seconds per timed batch of calls.")
    var minSeconds = 0.05

    @OptionGroup var precision: PrecisionOption

    func run() throws {
        Parallelism.setThreadCount(threads)
        precision.apply()
        let watch = Stopwatch(minimumSeconds: minSeconds, repetitions: 5)
        var rows: [KernelMeasurement] = []
        let report: (KernelMeasurement) -> Void = { row in
            rows.append(row)
            if !json { print(row.tableLine) }
        }
        if !json { print(KernelMeasurement.tableHeader) }
        for m in m { for k in sizes { for n in sizes {
            for product in GemmProduct.allCases {
                report(product.measure(m: m, k: k, n: n, threads: threads, watch: watch))
            }
        } } }
        for measure in ElementwiseBenchmark.all {
            report(measure(threads, watch))
        }
        if json {
            let data = try JSONEncoder.sortedPretty.encode(rows)
            print(String(decoding: data, as: UTF8.self))
        }
    }
}

/// One line of the kernel benchmark.
struct KernelMeasurement: Encodable {
    var op: String
    var m: Int?
    var k: Int?
    var n: Int?
    var elements: Int?
    var threads: Int
    var seconds: Double
    var gflops: Double?
    var gbps: Double?

    static let tableHeader = "op              m      k      n   elements  threads     µs/call    GFLOP/s     GB/s"

    var tableLine: String {
        func f(_ v: Int?) -> String { v.map(String.init) ?? "-" }
        func d(_ v: Double?) -> String { v.map { String(format: "%.1f", $0) } ?? "-" }
        return [op.padding(toLength: 12, withPad: " ", startingAt: 0),
                f(m).leftPadded(6), f(k).leftPadded(6), f(n).leftPadded(6), f(elements).leftPadded(10),
                String(threads).leftPadded(8), String(format: "%.1f", seconds * 1e6).leftPadded(11),
                d(gflops).leftPadded(10), d(gbps).leftPadded(8)].joined(separator: " ")
    }
}

/// The three products of a linear layer `Y = X·W` with `X: [m, k]`, `W: [k, n]`.
enum GemmProduct: String, CaseIterable {
    /// `Y = X · W`.
    case forward = "gemm"
    /// `dX = dY · Wᵀ`.
    case backwardInput = "gemm_dx"
    /// `dW = Xᵀ · dY`.
    case backwardWeight = "gemm_dw"

    func measure(m: Int, k: Int, n: Int, threads: Int, watch: Stopwatch) -> KernelMeasurement {
        let x = TensorStorage(count: m * k), w = TensorStorage(count: k * n), dy = TensorStorage(count: m * n)
        for s in [x, w, dy] { for i in 0..<s.count { s.pointer[i] = Float(i % 7) * 0.1 - 0.3 } }
        let out = TensorStorage(count: max(m * n, m * k, k * n))
        let timing = watch.measure {
            switch self {
            case .forward:
                Gemm.multiply(x.pointer, transposeA: false, w.pointer, transposeB: false, into: out.pointer, m: m, n: n, k: k)
            case .backwardInput:
                Gemm.multiply(dy.pointer, transposeA: false, w.pointer, transposeB: true, into: out.pointer, m: m, n: k, k: n)
            case .backwardWeight:
                Gemm.multiply(x.pointer, transposeA: true, dy.pointer, transposeB: false, into: out.pointer, m: k, n: n, k: m)
            }
        }
        return KernelMeasurement(op: rawValue, m: m, k: k, n: n, elements: nil, threads: threads,
                                 seconds: timing.median, gflops: 2 * Double(m * n * k) / timing.median / 1e9, gbps: nil)
    }
}

/// Memory-bound kernels measured in bytes moved per second.
enum ElementwiseBenchmark {
    typealias Measure = (_ threads: Int, _ watch: Stopwatch) -> KernelMeasurement

    static let count = 1 << 22
    static var all: [Measure] { [
        unary("add", bytesPerElement: 12) { a, b in _ = a + b },
        unary("mul_broadcast", bytesPerElement: 8) { a, _ in _ = a * a.rows(0..<1) },
        unary("sigmoid", bytesPerElement: 8) { a, _ in _ = a.sigmoid() },
        unary("exp", bytesPerElement: 8) { a, _ in _ = a.exp() },
        unary("relu", bytesPerElement: 8) { a, _ in _ = a.relu() },
        unary("sum_rows", bytesPerElement: 4) { a, _ in _ = a.sum(axis: 1) },
        unary("softmax", bytesPerElement: 8) { a, _ in _ = a.softmax() },
        unary("layer_norm_stats", bytesPerElement: 8) { a, _ in _ = a.standardized() },
        gather(width: 16),
        gather(width: 64),
    ] }

    /// An op over two `[count / 64, 64]` tensors.
    static func unary(_ name: String, bytesPerElement: Int, _ body: @escaping (Tensor, Tensor) -> Void) -> Measure {
        { threads, watch in
            let a = Tensor.full([count / 64, 64], 0.5), b = Tensor.full([count / 64, 64], 0.25)
            let t = Autograd.inference { watch.measure { body(a, b) } }
            return KernelMeasurement(op: name, m: nil, k: nil, n: nil, elements: count, threads: threads,
                                     seconds: t.median, gflops: nil,
                                     gbps: Double(count * bytesPerElement) / t.median / 1e9)
        }
    }

    /// Embedding lookup of `count / width` random rows from a 1M-row table.
    static func gather(width: Int) -> Measure {
        { threads, watch in
            let rows = 1 << 20
            let table = Tensor.full([rows, width], 0.5)
            var rng = RandomGenerator(seed: 1)
            let lookups = count / width
            let indices = (0..<lookups).map { _ in Int32(rng.nextInt(below: rows)) }
            let t = Autograd.inference { watch.measure { _ = table.gather(indices, shape: [lookups]) } }
            return KernelMeasurement(op: "gather_d\(width)", m: nil, k: nil, n: nil, elements: count, threads: threads,
                                     seconds: t.median, gflops: nil, gbps: Double(count * 8) / t.median / 1e9)
        }
    }
}

extension String {
    /// The string right-aligned in a field of `width` characters.
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}

extension JSONEncoder {
    /// An encoder with sorted keys and indentation.
    static var sortedPretty: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .prettyPrinted]
        return e
    }
}
