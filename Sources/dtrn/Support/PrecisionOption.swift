import ArgumentParser
import Foundation
import Tensor

extension MatrixPrecision: ExpressibleByArgument {}

/// `--precision fp32|bf16`: the operand precision of every matrix product the command runs.
struct PrecisionOption: ParsableArguments {
    /// The option's help, shared with `dtrn train`'s (which takes its default from the config).
    static let help: ArgumentHelp = "Matrix products' operands: fp32, or bf16 (fp32 sums; AVX512-BF16 where the CPU has it)."

    @Option(help: help)
    var precision: MatrixPrecision = .fp32

    /// Sets it for the process (see `PrecisionOption.apply(_:)`).
    func apply() { Self.apply(precision) }

    /// Sets `precision` for every later product of the process; a bf16 run on a CPU without
    /// AVX512-BF16 says on standard error that its products are emulated.
    static func apply(_ precision: MatrixPrecision) {
        Gemm.setPrecision(precision)
        if precision == .bf16 && Gemm.bfloat16Kernel == .emulated {
            FileHandle.standardError.write(Data(
                "note: this CPU has no AVX512-BF16; bf16 products are emulated (the same numbers, no faster than fp32)\n".utf8))
        }
    }
}
